package dev.uvtcp.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * The JDK NIO echo server of the bench: one selector thread, one shared direct read buffer,
 * write at once and queue (a copy of) only what the socket did not take.
 *
 * <pre>java ... dev.uvtcp.bench.NioEchoServer PORT</pre>
 */
public final class NioEchoServer {

    private NioEchoServer() {
    }

    private static final class Conn {
        final ArrayDeque<ByteBuffer> pending = new ArrayDeque<>();
    }

    public static void main(String[] args) throws IOException {
        int port = Integer.parseInt(args[0]);
        Selector selector = Selector.open();
        ServerSocketChannel server = ServerSocketChannel.open();
        server.bind(new InetSocketAddress("127.0.0.1", port), 4096);
        server.configureBlocking(false);
        server.register(selector, SelectionKey.OP_ACCEPT);
        ByteBuffer buffer = ByteBuffer.allocateDirect(64 * 1024);
        System.out.println("READY nio on " + server.getLocalAddress());
        System.out.flush();
        while (true) {
            selector.select();
            Iterator<SelectionKey> it = selector.selectedKeys().iterator();
            while (it.hasNext()) {
                SelectionKey key = it.next();
                it.remove();
                try {
                    if (!key.isValid()) {
                        continue;
                    }
                    if (key.isAcceptable()) {
                        SocketChannel ch;
                        while ((ch = server.accept()) != null) {
                            ch.configureBlocking(false);
                            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                            ch.register(selector, SelectionKey.OP_READ, new Conn());
                        }
                        continue;
                    }
                    SocketChannel ch = (SocketChannel) key.channel();
                    Conn conn = (Conn) key.attachment();
                    if (key.isWritable()) {
                        while (!conn.pending.isEmpty()) {
                            ByteBuffer head = conn.pending.peek();
                            ch.write(head);
                            if (head.hasRemaining()) {
                                break;
                            }
                            conn.pending.poll();
                        }
                        if (conn.pending.isEmpty()) {
                            key.interestOps(SelectionKey.OP_READ);
                        }
                    }
                    if (key.isReadable()) {
                        buffer.clear();
                        int n = ch.read(buffer);
                        if (n < 0) {
                            key.cancel();
                            ch.close();
                            continue;
                        }
                        buffer.flip();
                        if (conn.pending.isEmpty()) {
                            ch.write(buffer);
                        }
                        if (buffer.hasRemaining()) {
                            ByteBuffer copy = ByteBuffer.allocate(buffer.remaining());
                            copy.put(buffer).flip();
                            conn.pending.add(copy);
                            key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
                        }
                    }
                } catch (IOException e) {
                    key.cancel();
                    key.channel().close();
                }
            }
        }
    }
}
