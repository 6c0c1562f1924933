package dev.uvtcp.jni;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * What the packaging tests need to know about a shared library, read from its bytes: the
 * machine it is for, the dynamic symbols it defines, the libraries it needs and the glibc
 * symbol versions it needs. Read here rather than with readelf or nm, so that the tests check
 * the build script's own readelf checks independently, on any machine, for any architecture.
 * ELF64 little-endian only (x86-64 and aarch64 Linux); anything else is rejected.
 */
final class ElfFile {

    static final int EM_X86_64 = 62;
    static final int EM_AARCH64 = 183;

    private static final int SHT_DYNAMIC = 6;
    private static final int SHT_DYNSYM = 11;
    private static final int SHT_GNU_VERNEED = 0x6ffffffe;
    private static final int DT_NULL = 0;
    private static final int DT_NEEDED = 1;
    private static final int STT_SECTION = 3;
    private static final int STB_LOCAL = 0;

    private final ByteBuffer bytes;
    private final int machine;
    private final List<Section> sections = new ArrayList<>();

    private record Section(int type, long offset, long size, int link, int info, long entrySize) {
    }

    ElfFile(byte[] content) {
        bytes = ByteBuffer.wrap(content).order(ByteOrder.LITTLE_ENDIAN);
        if (content.length < 64 || content[0] != 0x7f || content[1] != 'E' || content[2] != 'L'
                || content[3] != 'F') {
            throw new IllegalArgumentException("not an ELF file");
        }
        if (content[4] != 2 || content[5] != 1) {
            throw new IllegalArgumentException("not ELF64 little-endian (class " + content[4]
                    + ", data " + content[5] + ")");
        }
        machine = Short.toUnsignedInt(bytes.getShort(18));
        long sectionHeaders = bytes.getLong(0x28);
        int headerSize = Short.toUnsignedInt(bytes.getShort(0x3A));
        int count = Short.toUnsignedInt(bytes.getShort(0x3C));
        for (int i = 0; i < count; i++) {
            int at = Math.toIntExact(sectionHeaders + (long) i * headerSize);
            sections.add(new Section(bytes.getInt(at + 4), bytes.getLong(at + 24),
                    bytes.getLong(at + 32), bytes.getInt(at + 40), bytes.getInt(at + 44),
                    bytes.getLong(at + 56)));
        }
    }

    /** @return the ELF e_machine, e.g. {@link #EM_X86_64} */
    int machine() {
        return machine;
    }

    /** @return the names of the global and weak dynamic symbols the library defines */
    List<String> definedDynamicSymbols() {
        List<String> names = new ArrayList<>();
        for (Section symbols : sectionsOfType(SHT_DYNSYM)) {
            Section strings = sections.get(symbols.link());
            long entries = symbols.size() / symbols.entrySize();
            for (long i = 1; i < entries; i++) { // entry 0 is the null symbol
                int at = Math.toIntExact(symbols.offset() + i * symbols.entrySize());
                int info = Byte.toUnsignedInt(bytes.get(at + 4));
                int sectionIndex = Short.toUnsignedInt(bytes.getShort(at + 6));
                if (sectionIndex != 0 && (info >> 4) != STB_LOCAL && (info & 0xf) != STT_SECTION) {
                    names.add(string(strings, bytes.getInt(at)));
                }
            }
        }
        return names;
    }

    /** @return the DT_NEEDED entries: the shared libraries loaded with this one */
    List<String> neededLibraries() {
        List<String> needed = new ArrayList<>();
        for (Section dynamic : sectionsOfType(SHT_DYNAMIC)) {
            Section strings = sections.get(dynamic.link());
            for (long at = dynamic.offset(); at + 16 <= dynamic.offset() + dynamic.size();
                    at += 16) {
                long tag = bytes.getLong(Math.toIntExact(at));
                if (tag == DT_NULL) {
                    break;
                }
                if (tag == DT_NEEDED) {
                    needed.add(string(strings, (int) bytes.getLong(Math.toIntExact(at + 8))));
                }
            }
        }
        return needed;
    }

    /** @return every version the library needs from another object, e.g. GLIBC_2.17 */
    List<String> neededVersions() {
        List<String> versions = new ArrayList<>();
        for (Section verneed : sectionsOfType(SHT_GNU_VERNEED)) {
            Section strings = sections.get(verneed.link());
            long entry = verneed.offset();
            for (int n = 0; n < verneed.info(); n++) {
                int at = Math.toIntExact(entry);
                int auxCount = Short.toUnsignedInt(bytes.getShort(at + 2));
                long aux = entry + Integer.toUnsignedLong(bytes.getInt(at + 8));
                for (int a = 0; a < auxCount; a++) {
                    int auxAt = Math.toIntExact(aux);
                    versions.add(string(strings, bytes.getInt(auxAt + 8)));
                    aux += Integer.toUnsignedLong(bytes.getInt(auxAt + 12));
                }
                long next = Integer.toUnsignedLong(bytes.getInt(at + 12));
                if (next == 0) {
                    break;
                }
                entry += next;
            }
        }
        return versions;
    }

    /**
     * @return the newest {@code GLIBC_x.y[.z]} version needed, as {@code x.y[.z]}: the oldest
     *     glibc the library loads with
     */
    Optional<String> glibcFloor() {
        TreeSet<String> glibc = new TreeSet<>(ElfFile::compareVersions);
        for (String v : neededVersions()) {
            if (v.matches("GLIBC_[0-9]+(\\.[0-9]+)*")) {
                glibc.add(v.substring("GLIBC_".length()));
            }
        }
        return glibc.isEmpty() ? Optional.empty() : Optional.of(glibc.last());
    }

    /** Compares dotted version numbers numerically: 2.2.5 &lt; 2.9 &lt; 2.17 &lt; 2.34. */
    static int compareVersions(String a, String b) {
        String[] x = a.split("\\.");
        String[] y = b.split("\\.");
        for (int i = 0; i < Math.max(x.length, y.length); i++) {
            int c = Integer.compare(i < x.length ? Integer.parseInt(x[i]) : 0,
                    i < y.length ? Integer.parseInt(y[i]) : 0);
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }

    private List<Section> sectionsOfType(int type) {
        return sections.stream().filter(s -> s.type() == type).toList();
    }

    private String string(Section table, int offset) {
        int start = Math.toIntExact(table.offset() + Integer.toUnsignedLong(offset));
        int end = start;
        while (bytes.get(end) != 0) {
            end++;
        }
        byte[] name = new byte[end - start];
        bytes.get(start, name);
        return new String(name, StandardCharsets.US_ASCII);
    }
}
