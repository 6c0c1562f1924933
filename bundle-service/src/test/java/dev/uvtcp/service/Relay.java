package dev.uvtcp.service;

import dev.uvtcp.ReadHandler;
import dev.uvtcp.Stream;
import dev.uvtcp.UvException;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A server's read handler that writes what it reads, to the same stream (an echo) or to
 * another one (a proxy), through one write path; optionally checking the bytes on the way
 * (a hop check of the sender's write path).
 *
 * <p>Like the README's echo it ignores the outcome of its writes for what it does next (it
 * counts them): whatever the service does with a write it could not take shows in the
 * receiver's stream. As a proxy it stops reading while more than 1 MiB waits for the other
 * stream and reads again once that is below 256 KiB, so that a slow receiver holds the sender
 * back (and no write queue approaches its limit).
 *
 * <p>Threading: the read handler runs on the source stream's loop thread; write completions
 * on the target's, which for a proxy is another loop.
 */
final class Relay implements ReadHandler {

    /** How the relay writes what it read: the write path under test. */
    enum Path {
        READ_VIEW("echo of the read view from the read callback (the README's echo)"),
        DUPLICATE("echo of read view.duplicate() from the read callback"),
        SLICE("echo of read view.slice() from the read callback"),
        HEAP_COPY("echo of a heap copy of each read (pooled direct copy), heap array reused"),
        DIRECT_COPY("echo of a direct copy of each read, reused once its write completed"),
        WRITEV_MIXED("echo as writev of a heap copy, a direct copy and a read-only slice of the"
                + " read view"),
        TRY_WRITE_THEN_WRITE("tryWrite of the read view, then write of the rest"),
        PROXY_READ_VIEW("the read view written to a connection on another loop (a proxy)");

        final String description;

        Path(String description) {
            this.description = description;
        }
    }

    private static final long PAUSE_ABOVE = 1 << 20;
    private static final long RESUME_BELOW = 256 * 1024;

    private final Path path;
    /** Where the bytes go; null: back to the stream they came from. */
    private final Stream target;
    private final StreamChecker hopCheck;
    /** On EOF: shut the target down once its writes are done (else close at once). */
    private final boolean shutdownOnEnd;
    private final SplittableRandom random = new SplittableRandom(42);
    private final byte[] heapScratch = new byte[256 * 1024];
    private final ConcurrentLinkedQueue<ByteBuffer> directFree = new ConcurrentLinkedQueue<>();
    private final AtomicLong outstanding = new AtomicLong();
    private final java.util.concurrent.atomic.AtomicBoolean paused =
            new java.util.concurrent.atomic.AtomicBoolean();
    private Stream source;
    /** Set on EOF or error: reading is never resumed after it. */
    private volatile boolean ended;

    final WriteTally tally = new WriteTally();

    Relay(Path path, Stream target, StreamChecker hopCheck, boolean shutdownOnEnd) {
        this.path = path;
        this.target = target;
        this.hopCheck = hopCheck;
        this.shutdownOnEnd = shutdownOnEnd;
    }

    @Override
    public void onRead(Stream stream, ByteBuffer data) {
        source = stream;
        if (hopCheck != null) {
            hopCheck.accept(data);
        }
        Stream out = target != null ? target : stream;
        int n = data.remaining();
        CompletionStage<Void> stage;
        switch (path) {
            case READ_VIEW, PROXY_READ_VIEW -> stage = out.write(data);
            case DUPLICATE -> stage = out.write(data.duplicate());
            case SLICE -> stage = out.write(data.slice());
            case HEAP_COPY -> {
                data.get(data.position(), heapScratch, 0, n);
                stage = out.write(ByteBuffer.wrap(heapScratch, 0, n));
                java.util.Arrays.fill(heapScratch, 0, n, (byte) 0xEE);
            }
            case DIRECT_COPY -> {
                ByteBuffer copy = takeDirect().put(0, data, data.position(), n).limit(n);
                stage = out.write(copy);
                stage.whenComplete((ignored, error) -> directFree.add(copy.clear()));
            }
            case WRITEV_MIXED -> stage = writeV(out, data, n);
            case TRY_WRITE_THEN_WRITE -> stage = tryWriteThenWrite(out, data);
            default -> throw new IllegalStateException(path.toString());
        }
        count(stage, n);
    }

    private CompletionStage<Void> writeV(Stream out, ByteBuffer data, int n) {
        int a = random.nextInt(n + 1);
        int b = a + random.nextInt(n - a + 1);
        int p = data.position();
        data.get(p, heapScratch, 0, a);
        ByteBuffer heap = ByteBuffer.wrap(heapScratch, 0, a);
        ByteBuffer direct = takeDirect().put(0, data, p + a, b - a).limit(b - a);
        ByteBuffer view = data.slice(p + b, n - b);
        CompletionStage<Void> stage = out.write(heap, direct, view);
        java.util.Arrays.fill(heapScratch, 0, a, (byte) 0xEE);
        stage.whenComplete((ignored, error) -> directFree.add(direct.clear()));
        return stage;
    }

    private CompletionStage<Void> tryWriteThenWrite(Stream out, ByteBuffer data) {
        try {
            out.tryWrite(data);
        } catch (UvException | RuntimeException e) {
            return java.util.concurrent.CompletableFuture.failedStage(e);
        }
        return data.hasRemaining() ? out.write(data)
                : java.util.concurrent.CompletableFuture.completedStage(null);
    }

    private ByteBuffer takeDirect() {
        ByteBuffer buffer = directFree.poll();
        return buffer != null ? buffer : ByteBuffer.allocateDirect(heapScratch.length);
    }

    private void count(CompletionStage<Void> stage, int n) {
        if (target != null && outstanding.addAndGet(n) > PAUSE_ABOVE
                && paused.compareAndSet(false, true)) {
            source.stopReading();
            // The target's loop may have drained everything before the pause was visible.
            if (outstanding.get() < RESUME_BELOW && paused.compareAndSet(true, false)) {
                resume(source);
            }
        }
        stage.whenComplete((ignored, error) -> {
            tally.record(n, error);
            if (target != null && outstanding.addAndGet(-n) < RESUME_BELOW
                    && paused.compareAndSet(true, false)) {
                resume(source);
            }
        });
    }

    private void resume(Stream from) {
        from.loop().execute(() -> {
            if (ended) {
                return;
            }
            try {
                from.startReading(this);
            } catch (UvException | RuntimeException closed) {
                // the source has ended or closed meanwhile: nothing more to relay
            }
        });
    }

    @Override
    public void onEnd(Stream stream) {
        ended = true;
        if (hopCheck != null) {
            hopCheck.end(null);
        }
        Stream out = target != null ? target : stream;
        if (shutdownOnEnd) {
            out.shutdown().whenComplete((ignored, error) -> {
                out.close();
                stream.close();
            });
        } else {
            stream.close(); // the README's echo: close on end
            if (target != null) {
                target.close();
            }
        }
    }

    @Override
    public void onError(Stream stream, UvException error) {
        ended = true;
        if (hopCheck != null) {
            hopCheck.end(error);
        }
        stream.close();
        if (target != null) {
            target.close();
        }
    }

    @Override
    public String toString() {
        return "relay[" + path + ", " + tally + (paused.get() ? ", paused" : "") + "]";
    }
}
