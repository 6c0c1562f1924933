package dev.uvtcp.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import javax.imageio.ImageIO;

/**
 * Turns the raw results of bench/run.sh into the Markdown table and the PNG chart of ratios.
 *
 * <p>Input: a TSV file of {@code run server workload key value} lines, and a text file of
 * {@code key=value} lines describing the machine and the run. Each figure is the median over
 * the runs, with its spread ((max - min) / median).
 *
 * <pre>java ... dev.uvtcp.bench.Report RAW.tsv MACHINE.txt OUT.md OUT.png</pre>
 */
public final class Report {

    private Report() {
    }

    static final String C = "c-libuv";
    static final String UVTCP = "uvtcp";
    static final String NETTY = "netty";
    static final String NIO = "nio";
    static final List<String> SERVERS = List.of(C, UVTCP, NETTY, NIO);
    static final Map<String, String> SERVER_NAMES = Map.of(C, "C libuv", UVTCP, "uvtcp",
            NETTY, "Netty epoll", NIO, "JDK NIO");

    /** A row of the table: a figure of one workload, and whether more is better. */
    record Metric(String workload, String key, String label, boolean higherIsBetter,
            String unit) {
    }

    static final List<Metric> METRICS = List.of(
            new Metric("pp100", "round_trips_per_s", "ping-pong 64 B, 100 conns: round trips/s",
                    true, ""),
            new Metric("pp100", "p50_us", "ping-pong 100 conns: p50 latency", false, "µs"),
            new Metric("pp100", "p99_us", "ping-pong 100 conns: p99 latency", false, "µs"),
            new Metric("pp100", "p999_us", "ping-pong 100 conns: p99.9 latency", false, "µs"),
            new Metric("pp100", "server_cpu_us_per_op",
                    "ping-pong 100 conns: server CPU per round trip", false, "µs"),
            new Metric("pp1", "round_trips_per_s", "ping-pong 64 B, 1 conn: round trips/s", true,
                    ""),
            new Metric("pp1", "p99_us", "ping-pong 1 conn: p99 latency", false, "µs"),
            new Metric("pp1", "server_cpu_us_per_op", "ping-pong 1 conn: server CPU per round trip",
                    false, "µs"),
            new Metric("pump10", "mib_per_s", "pump 1 MiB writes, 10 conns: MiB/s", true, ""),
            new Metric("pump10", "server_cpu_s_per_gib", "pump: server CPU per GiB", false, "s"),
            new Metric("connect50", "connections_per_s",
                    "connect–exchange–close, 50 concurrent: conns/s", true, ""),
            new Metric("connect50", "server_cpu_us_per_op",
                    "connect–exchange–close: server CPU per connection", false, "µs"),
            new Metric("idle10k", "bytes_per_conn",
                    "10,000 idle conns: server RSS per connection", false, "B"));

    public static void main(String[] args) throws IOException {
        Path raw = Path.of(args[0]);
        Path machine = Path.of(args[1]);
        Path md = Path.of(args[2]);
        Path png = Path.of(args[3]);
        // server -> workload/key -> values over runs
        Map<String, Map<String, List<Double>>> data = new TreeMap<>();
        for (String line : Files.readAllLines(raw, StandardCharsets.UTF_8)) {
            String[] f = line.split("\t");
            if (f.length != 5) {
                continue;
            }
            try {
                double v = Double.parseDouble(f[4]);
                data.computeIfAbsent(f[1], k -> new TreeMap<>())
                        .computeIfAbsent(f[2] + "/" + f[3], k -> new ArrayList<>()).add(v);
            } catch (NumberFormatException ignored) {
                // a non-numeric value (mode names and such)
            }
        }
        Map<String, String> info = new LinkedHashMap<>();
        for (String line : Files.readAllLines(machine, StandardCharsets.UTF_8)) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                info.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        Files.writeString(md, markdown(data, info), StandardCharsets.UTF_8);
        chart(data, png);
    }

    static double median(List<Double> values) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    static double spread(List<Double> values) {
        double min = values.stream().mapToDouble(Double::doubleValue).min().orElse(0);
        double max = values.stream().mapToDouble(Double::doubleValue).max().orElse(0);
        double med = median(values);
        return med == 0 ? 0 : (max - min) / med;
    }

    static Double med(Map<String, Map<String, List<Double>>> data, String server, String key) {
        List<Double> v = data.getOrDefault(server, Map.of()).get(key);
        return v == null || v.isEmpty() ? null : median(v);
    }

    static String fmt(double v) {
        double a = Math.abs(v);
        if (a >= 1e6) {
            return String.format(Locale.ROOT, "%.2fM", v / 1e6);
        }
        if (a >= 1e4) {
            return String.format(Locale.ROOT, "%.1fk", v / 1e3);
        }
        if (a >= 100) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        if (a >= 10) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        return String.format(Locale.ROOT, "%.2f", v);
    }

    static String cell(Map<String, Map<String, List<Double>>> data, String server, Metric m) {
        String key = m.workload() + "/" + m.key();
        List<Double> v = data.getOrDefault(server, Map.of()).get(key);
        if (v == null || v.isEmpty()) {
            return "–";
        }
        double x = median(v);
        StringBuilder s = new StringBuilder(fmt(x)).append(m.unit().isEmpty() ? "" : " " + m.unit())
                .append(String.format(Locale.ROOT, " ±%.0f%%", 100 * spread(v) / 2));
        Double c = med(data, C, key);
        Double n = med(data, NETTY, key);
        List<String> ratios = new ArrayList<>();
        if (c != null && c != 0 && !server.equals(C)) {
            ratios.add(String.format(Locale.ROOT, "%.2f× C", x / c));
        }
        if (n != null && n != 0 && !server.equals(NETTY)) {
            ratios.add(String.format(Locale.ROOT, "%.2f× N", x / n));
        }
        if (!ratios.isEmpty()) {
            s.append("<br>").append(String.join(", ", ratios));
        }
        return s.toString();
    }

    /**
     * Which core is the limit: a figure says something about the server only where the server's
     * core is the busy one, so each workload shows both cores' busy fraction.
     */
    private static void saturation(StringBuilder md, Map<String, Map<String, List<Double>>> data) {
        md.append("\n### Who is the limit: busy fraction of the server's core / the load "
                + "generator's core\n\n| workload | ");
        for (String s : SERVERS) {
            md.append(SERVER_NAMES.get(s)).append(" | ");
        }
        md.append("\n|---|").append("---|".repeat(SERVERS.size())).append('\n');
        for (String w : List.of("pp100", "pp1", "pump10", "connect50")) {
            md.append("| ").append(w).append(" | ");
            for (String s : SERVERS) {
                Double server = med(data, s, w + "/server_cpu_util");
                Double client = med(data, s, w + "/client_cpu_util");
                md.append(server == null ? "–" : String.format(Locale.ROOT, "%.0f%%", 100 * server))
                        .append(" / ")
                        .append(client == null ? "–" : String.format(Locale.ROOT, "%.0f%%", 100 * client))
                        .append(" | ");
            }
            md.append('\n');
        }
    }

    /** The server's system calls per round trip and per MiB (bench/run.sh, perf stat). */
    private static void systemCalls(StringBuilder md, Map<String, Map<String, List<Double>>> data) {
        List<String> calls = List.of("total", "read", "readv", "recvfrom", "recvmsg", "write",
                "writev", "sendto", "sendmsg", "epoll_wait", "epoll_pwait", "epoll_ctl", "futex");
        boolean any = SERVERS.stream().anyMatch(s -> med(data, s, "pp100/sys_total_per_op") != null
                || med(data, s, "pump10/sys_total_per_mib") != null);
        if (!any) {
            return;
        }
        md.append("\n### Server system calls per round trip (ping-pong 100) / per MiB (pump 10)"
                + "\n\nA separate, shorter run; counted with `perf stat` on the syscalls "
                + "tracepoints over the load generator's measured window.\n\n| system call | ");
        for (String s : SERVERS) {
            md.append(SERVER_NAMES.get(s)).append(" | ");
        }
        md.append("\n|---|").append("---|".repeat(SERVERS.size())).append('\n');
        for (String call : calls) {
            StringBuilder row = new StringBuilder("| ").append(call).append(" | ");
            boolean seen = false;
            for (String s : SERVERS) {
                Double op = med(data, s, "pp100/sys_" + call + "_per_op");
                Double mib = med(data, s, "pump10/sys_" + call + "_per_mib");
                seen |= (op != null && op >= 0.005) || (mib != null && mib >= 0.005);
                row.append(op == null ? "–" : fmt(op)).append(" / ")
                        .append(mib == null ? "–" : fmt(mib)).append(" | ");
            }
            if (seen) {
                md.append(row).append('\n');
            }
        }
    }

    /** The pump workload may be run several times per server start (bench/run.sh). */
    private static String pumpRepeatNote(Map<String, String> info) {
        String repeat = info.getOrDefault("pump_repeat", "1");
        return repeat.equals("1") ? "" : " Pump: each run's figure is the median of " + repeat
                + " pump runs with new connections (its throughput swings from run to run).";
    }

    static String markdown(Map<String, Map<String, List<Double>>> data, Map<String, String> info) {
        StringBuilder md = new StringBuilder();
        md.append("## Results\n\n");
        md.append("Medians of ").append(info.getOrDefault("runs", "?"))
                .append(" alternating runs; ±x% is half the spread (max − min) / median. "
                        + "\"× C\" and \"× N\" are the ratio of the figure to C libuv's and to "
                        + "Netty's (for latency, CPU time and memory, lower is better)."
                        + pumpRepeatNote(info) + "\n\n");
        md.append("| workload | ");
        for (String s : SERVERS) {
            md.append(SERVER_NAMES.get(s)).append(" | ");
        }
        md.append("\n|---|");
        for (int i = 0; i < SERVERS.size(); i++) {
            md.append("---|");
        }
        md.append('\n');
        for (Metric m : METRICS) {
            md.append("| ").append(m.label()).append(m.higherIsBetter() ? " ↑" : " ↓")
                    .append(" | ");
            for (String s : SERVERS) {
                md.append(cell(data, s, m)).append(" | ");
            }
            md.append('\n');
        }
        saturation(md, data);
        systemCalls(md, data);
        // Client side.
        if (data.containsKey("client-uvtcp") || data.containsKey("client-netty")) {
            md.append("\n### uvtcp and Netty as clients (against the C libuv server)\n\n");
            md.append("| client | round trips/s (100 conns, 64 B) | client CPU per round trip |"
                    + "\n|---|---|---|\n");
            for (String cl : List.of("client-uvtcp", "client-netty")) {
                Double rt = med(data, cl, "client100/round_trips_per_s");
                Double cpu = med(data, cl, "client100/client_cpu_us_per_op");
                md.append("| ").append(cl.substring(7)).append(" | ")
                        .append(rt == null ? "–" : fmt(rt)).append(" | ")
                        .append(cpu == null ? "–" : fmt(cpu) + " µs").append(" |\n");
            }
        }
        // Scaling.
        if (data.containsKey("uvtcp-1loop") || data.containsKey("uvtcp-2loops")) {
            md.append("\n### uvtcp: 1 loop vs 2 loops (2 loops: one SO_REUSEPORT listener per "
                    + "loop, or one acceptor handing connections to both loops; server and load "
                    + "generator not pinned, sharing both cores)\n\n");
            md.append("| server | ping-pong 100 conns rt/s | pump 10 conns MiB/s |"
                    + " connect 50 conns/s |\n|---|---|---|---|\n");
            for (String s : List.of("c-libuv-unpinned", "uvtcp-1loop", "uvtcp-2loops",
                    "uvtcp-2loops-handoff")) {
                if (!data.containsKey(s)) {
                    continue;
                }
                md.append("| ").append(s).append(" | ");
                for (String k : List.of("pp100/round_trips_per_s", "pump10/mib_per_s",
                        "connect50/connections_per_s")) {
                    Double v = med(data, s, k);
                    md.append(v == null ? "–" : fmt(v)).append(" | ");
                }
                md.append('\n');
            }
        }
        md.append("\nMachine: ").append(info.getOrDefault("cores", "?")).append(" cores, ")
                .append(info.getOrDefault("cpu", "?")).append(", Linux ")
                .append(info.getOrDefault("kernel", "?")).append(", ")
                .append(info.getOrDefault("jdk", "?")).append(", libuv ")
                .append(info.getOrDefault("libuv", "?")).append(", Netty ")
                .append(info.getOrDefault("netty", "?")).append(".  \n");
        md.append("Servers pinned to core ").append(info.getOrDefault("server_cpu", "?"))
                .append(", load generator to core ").append(info.getOrDefault("client_cpu", "?"))
                .append("; ").append(info.getOrDefault("duration", "?"))
                .append(" s per workload after ").append(info.getOrDefault("warmup", "?"))
                .append(" s warm-up.  \n");
        md.append("Load before the run: ").append(info.getOrDefault("load_before", "?"))
                .append("; after: ").append(info.getOrDefault("load_after", "?")).append(". ")
                .append(info.getOrDefault("noise", "")).append("  \n");
        md.append("Network: ").append(info.getOrDefault("net", "?")).append(".  \n");
        md.append("Date: ").append(info.getOrDefault("date", "?")).append(". Command: `")
                .append(info.getOrDefault("command", "bench/run.sh")).append("`.\n");
        return md.toString();
    }

    /**
     * Horizontal bars: each server's ratio to C libuv per metric, oriented so that higher is
     * better (C ÷ server for latency, CPU time and memory); the red line is C libuv (1.0).
     */
    static void chart(Map<String, Map<String, List<Double>>> data, Path png) throws IOException {
        List<Metric> shown = new ArrayList<>();
        for (Metric m : METRICS) {
            if (med(data, C, m.workload() + "/" + m.key()) != null) {
                shown.add(m);
            }
        }
        List<String> bars = List.of(UVTCP, NETTY, NIO);
        Color[] colors = {new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c)};
        double cap = 3.0;
        int barH = 14;
        int groupH = bars.size() * barH + 12;
        int left = 430;
        int right = 60;
        int top = 80;
        int bottom = 50;
        int w = 1300;
        int h = top + bottom + groupH * Math.max(1, shown.size());
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING,
                RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        int plotW = w - left - right;
        int plotH = h - top - bottom;
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 18));
        g.drawString("Ratio to the C libuv echo server (median of runs; right of the red line "
                + "is better than C)", 20, 28);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        g.drawString("Throughput: server ÷ C.  Latency, CPU time, memory: C ÷ server.  "
                + "Bars beyond " + cap + " are cut.", 20, 48);
        for (int j = 0; j < bars.size(); j++) {
            g.setColor(colors[j]);
            g.fillRect(left + j * 160, 58, 14, 14);
            g.setColor(Color.BLACK);
            g.drawString(SERVER_NAMES.get(bars.get(j)), left + j * 160 + 20, 70);
        }
        FontMetrics fm = g.getFontMetrics();
        for (double x = 0; x <= cap + 1e-9; x += 0.25) {
            int px = left + (int) (x / cap * plotW);
            boolean one = Math.abs(x - 1) < 1e-9;
            g.setColor(one ? Color.RED : new Color(0xdddddd));
            g.setStroke(new BasicStroke(one ? 2f : 1f));
            g.drawLine(px, top - 4, px, top + plotH);
            if (Math.abs(x * 2 - Math.rint(x * 2)) < 1e-9) {
                g.setColor(Color.BLACK);
                String t = String.format(Locale.ROOT, "%.1f", x);
                g.drawString(t, px - fm.stringWidth(t) / 2, top + plotH + 18);
            }
        }
        for (int i = 0; i < shown.size(); i++) {
            Metric m = shown.get(i);
            String key = m.workload() + "/" + m.key();
            double c = med(data, C, key);
            int gy = top + i * groupH + 6;
            g.setColor(Color.BLACK);
            String label = m.label();
            g.drawString(label, left - 10 - fm.stringWidth(label),
                    gy + (bars.size() * barH) / 2 + fm.getAscent() / 2 - 1);
            for (int j = 0; j < bars.size(); j++) {
                Double v = med(data, bars.get(j), key);
                if (v == null || v == 0 || c == 0) {
                    continue;
                }
                double r = m.higherIsBetter() ? v / c : c / v;
                int bw = (int) (Math.min(r, cap) / cap * plotW);
                g.setColor(colors[j]);
                g.fillRect(left, gy + j * barH, bw, barH - 2);
                g.setColor(Color.BLACK);
                String t = String.format(Locale.ROOT, r > cap ? "%.2f ▶" : "%.2f", r);
                int tx = left + bw + 4;
                if (tx + fm.stringWidth(t) > w - 2) {
                    tx = left + bw - fm.stringWidth(t) - 4;
                    g.setColor(Color.WHITE);
                }
                g.drawString(t, tx, gy + j * barH + barH - 3);
            }
        }
        g.dispose();
        ImageIO.write(img, "png", png.toFile());
    }
}
