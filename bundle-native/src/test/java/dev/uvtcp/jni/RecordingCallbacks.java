package dev.uvtcp.jni;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** HandleCallbacks that record every up-call (all on the test thread). */
final class RecordingCallbacks extends HandleCallbacks {

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

    @Override
    public void onRead(long nread) {
        if (nread > 0) {
            byte[] bytes = new byte[(int) nread];
            readBuffer.duplicate().clear().get(bytes);
            received.write(bytes, 0, bytes.length);
        } else {
            readErrors.add(nread);
        }
    }

    @Override
    public void onWrite(int requestId, int status) {
        writes.add(new int[] {requestId, status});
    }

    @Override
    public void onConnect(int status) {
        connectStatus = status;
    }

    @Override
    public void onShutdown(int status) {
        shutdownStatus = status;
    }

    @Override
    public void onConnection(int status) {
        connections.add(status);
    }

    @Override
    public void onClose() {
        closes++;
    }
}
