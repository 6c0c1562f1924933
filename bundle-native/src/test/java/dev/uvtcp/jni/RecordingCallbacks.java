package dev.uvtcp.jni;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** Records every up-call of one handle (all on the test thread; see {@link TestLoop}). */
final class RecordingCallbacks {

    private final ByteBuffer readBuffer;
    final ByteArrayOutputStream received = new ByteArrayOutputStream();
    final List<Long> readErrors = new ArrayList<>();
    final List<int[]> writes = new ArrayList<>();
    Integer connectStatus;
    Integer shutdownStatus;
    final List<Integer> connections = new ArrayList<>();
    int closes;

    RecordingCallbacks(ByteBuffer readBuffer) {
        this.readBuffer = readBuffer;
    }

    void onRead(long nread, int offset) {
        if (nread > 0) {
            byte[] bytes = new byte[(int) nread];
            readBuffer.get(offset, bytes);
            received.write(bytes, 0, bytes.length);
        } else {
            readErrors.add(nread);
        }
    }

    void onWrite(int requestId, int status) {
        writes.add(new int[] {requestId, status});
    }

    void onConnect(int status) {
        connectStatus = status;
    }

    void onShutdown(int status) {
        shutdownStatus = status;
    }

    void onConnection(int status) {
        connections.add(status);
    }

    void onClose() {
        closes++;
    }
}
