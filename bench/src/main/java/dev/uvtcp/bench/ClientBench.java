package dev.uvtcp.bench;

import dev.uvtcp.ReadHandler;
import dev.uvtcp.Stream;
import dev.uvtcp.Tcp;
import dev.uvtcp.UvException;
import dev.uvtcp.service.StandaloneTcpService;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * A client-side benchmark: ping-pong of SIZE-byte messages over CONNS connections to an echo
 * server, with uvtcp or Netty epoll (one loop each) as the client. Prints key=value lines:
 * round trips/s and the client process's CPU time per round trip.
 *
 * <pre>java ... dev.uvtcp.bench.ClientBench uvtcp|netty PORT CONNS SIZE WARMUP_S DURATION_S</pre>
 */
public final class ClientBench {

    private ClientBench() {
    }

    static final LongAdder ROUND_TRIPS = new LongAdder();

    public static void main(String[] args) throws Exception {
        String impl = args[0];
        int port = Integer.parseInt(args[1]);
        int conns = Integer.parseInt(args[2]);
        int size = Integer.parseInt(args[3]);
        double warmup = Double.parseDouble(args[4]);
        double duration = Double.parseDouble(args[5]);
        AutoCloseable client = switch (impl) {
            case "uvtcp" -> uvtcp(port, conns, size);
            case "netty" -> netty(port, conns, size);
            default -> throw new IllegalArgumentException(impl);
        };
        Thread.sleep((long) (warmup * 1000));
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean)
                        ManagementFactory.getOperatingSystemMXBean();
        long cpu0 = os.getProcessCpuTime();
        long rt0 = ROUND_TRIPS.sum();
        long t0 = System.nanoTime();
        Thread.sleep((long) (duration * 1000));
        long rt1 = ROUND_TRIPS.sum();
        long t1 = System.nanoTime();
        long cpu1 = os.getProcessCpuTime();
        double secs = (t1 - t0) / 1e9;
        long ops = rt1 - rt0;
        System.out.printf("round_trips_per_s=%.1f%n", ops / secs);
        System.out.printf("client_cpu_util=%.3f%n", (cpu1 - cpu0) / 1e9 / secs);
        System.out.printf("client_cpu_us_per_op=%.3f%n", (cpu1 - cpu0) / 1e3 / Math.max(1, ops));
        System.out.flush();
        client.close();
        System.exit(0);
    }

    private static AutoCloseable uvtcp(int port, int conns, int size) throws Exception {
        StandaloneTcpService uv = StandaloneTcpService.start();
        List<Tcp> tcps = new ArrayList<>();
        for (int i = 0; i < conns; i++) {
            Tcp tcp = uv.connect("127.0.0.1", port).toCompletableFuture().get();
            tcp.setNoDelay(true);
            ByteBuffer ping = ByteBuffer.allocateDirect(size);
            tcp.startReading(new ReadHandler() {
                private int got;

                @Override
                public void onRead(Stream stream, ByteBuffer data) {
                    got += data.remaining();
                    while (got >= size) {
                        got -= size;
                        ROUND_TRIPS.increment();
                        ping.clear();
                        stream.write(ping);
                    }
                }

                @Override
                public void onError(Stream stream, UvException error) {
                    error.printStackTrace();
                    System.exit(1);
                }
            });
            tcps.add(tcp);
            ping.clear();
            tcp.write(ping);
        }
        return uv;
    }

    private static AutoCloseable netty(int port, int conns, int size) throws Exception {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        PooledByteBufAllocator alloc = new PooledByteBufAllocator(true);
        Bootstrap b = new Bootstrap()
                .group(group)
                .channel(EpollSocketChannel.class)
                .option(ChannelOption.ALLOCATOR, alloc)
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public boolean isSharable() {
                        return true;
                    }

                    @Override
                    public void channelActive(ChannelHandlerContext ctx) {
                        ctx.attr(GOT).set(new int[1]);
                        ctx.writeAndFlush(ctx.alloc().directBuffer(size).writeZero(size),
                                ctx.voidPromise());
                    }

                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        ByteBuf buf = (ByteBuf) msg;
                        int[] got = ctx.attr(GOT).get();
                        got[0] += buf.readableBytes();
                        buf.release();
                        while (got[0] >= size) {
                            got[0] -= size;
                            ROUND_TRIPS.increment();
                            ctx.write(ctx.alloc().directBuffer(size).writeZero(size),
                                    ctx.voidPromise());
                        }
                    }

                    @Override
                    public void channelReadComplete(ChannelHandlerContext ctx) {
                        ctx.flush();
                    }

                    @Override
                    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                        cause.printStackTrace();
                        System.exit(1);
                    }
                });
        List<Channel> channels = new ArrayList<>();
        for (int i = 0; i < conns; i++) {
            channels.add(b.connect("127.0.0.1", port).sync().channel());
        }
        return () -> group.shutdownGracefully().sync();
    }

    private static final io.netty.util.AttributeKey<int[]> GOT =
            io.netty.util.AttributeKey.valueOf("got");
}
