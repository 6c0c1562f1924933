package dev.uvtcp.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * The file repository the build deployed its published modules into (the parent pom's
 * {@code uvtcp.staging.repository}), read as a repository client would: through each
 * artifact's {@code maven-metadata.xml}.
 */
final class StagingRepository {

    static final String GROUP = "dev.uvtcp";

    final Path root;
    final String version;

    private StagingRepository(Path root, String version) {
        this.root = root;
        this.version = version;
    }

    /** The staging repository of this build; fails with what to do if it was not filled. */
    static StagingRepository ofThisBuild() {
        Path root = Path.of(System.getProperty("uvtcp.staging.repository"));
        String version = System.getProperty("uvtcp.version");
        assertThat(root.resolve("dev/uvtcp/uvtcp-parent/" + version + "/maven-metadata.xml"))
                .as("the staging repository has this build's parent pom: it is filled by the"
                        + " modules' verify phase in the same reactor (./mvnw verify or install"
                        + " from the root, without -DskipTests)")
                .isRegularFile();
        return new StagingRepository(root, version);
    }

    /** The artifactIds of group dev.uvtcp in the repository. */
    List<String> artifactIds() throws IOException {
        try (Stream<Path> dirs = Files.list(root.resolve("dev/uvtcp"))) {
            return dirs.filter(Files::isDirectory).map(d -> d.getFileName().toString())
                    .sorted().toList();
        }
    }

    /** One file of a deployed snapshot, as maven-metadata.xml names it. */
    record File(String artifactId, String classifier, String extension, Path path) {
        @Override
        public String toString() {
            return artifactId + (classifier.isEmpty() ? "" : "-" + classifier) + "." + extension;
        }
    }

    /** Every file of the latest deployment of an artifact, from its maven-metadata.xml. */
    List<File> files(String artifactId) throws Exception {
        Path dir = root.resolve("dev/uvtcp/" + artifactId + "/" + version);
        Document metadata = xml(dir.resolve("maven-metadata.xml"));
        List<File> files = new ArrayList<>();
        for (Element v : children(child(child(metadata.getDocumentElement(), "versioning")
                .orElseThrow(), "snapshotVersions").orElseThrow(), "snapshotVersion")) {
            String classifier = text(v, "classifier").orElse("");
            String extension = text(v, "extension").orElseThrow();
            String value = text(v, "value").orElseThrow();
            String name = artifactId + "-" + value + (classifier.isEmpty() ? "" : "-" + classifier)
                    + "." + extension;
            files.add(new File(artifactId, classifier, extension, dir.resolve(name)));
        }
        return files;
    }

    /** The file with that classifier and extension; fails if it was not deployed. */
    Path file(String artifactId, String classifier, String extension) throws Exception {
        return files(artifactId).stream()
                .filter(f -> f.classifier().equals(classifier) && f.extension().equals(extension))
                .map(File::path).findFirst()
                .orElseThrow(() -> new AssertionError(artifactId + ": no " + classifier + "."
                        + extension + " in " + root));
    }

    Document pom(String artifactId) throws Exception {
        return xml(file(artifactId, "", "pom"));
    }

    // ---- small DOM helpers ----

    static Document xml(Path file) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(false);
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        return factory.newDocumentBuilder().parse(file.toFile());
    }

    static List<Element> children(Element parent, String name) {
        List<Element> result = new ArrayList<>();
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(name)) {
                result.add(e);
            }
        }
        return result;
    }

    static Optional<Element> child(Element parent, String name) {
        return children(parent, name).stream().findFirst();
    }

    /** The trimmed text of a child element, if it is there and not blank. */
    static Optional<String> text(Element parent, String name) {
        return child(parent, name).map(e -> e.getTextContent().trim()).filter(s -> !s.isEmpty());
    }

    /** The trimmed text at a path of child elements, e.g. {@code "scm", "url"}. */
    static Optional<String> textAt(Element parent, String... path) {
        Element at = parent;
        for (int i = 0; i < path.length - 1; i++) {
            Optional<Element> next = child(at, path[i]);
            if (next.isEmpty()) {
                return Optional.empty();
            }
            at = next.get();
        }
        return text(at, path[path.length - 1]);
    }
}
