package dev.uvtcp.launcher.console;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import org.osgi.framework.Bundle;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.LogEntry;
import org.osgi.service.log.LogLevel;
import org.osgi.service.log.LogListener;
import org.osgi.service.log.LogReaderService;

/**
 * Prints every warning and error of the OSGi log on the launcher's console, with the bundle
 * that logged it and the exception's message (and its causes), but no stack trace: the full
 * entry stays in the log ({@code log 10 warn} in the shell). Declarative Services, FileInstall
 * and Configuration Admin report there why a component did not activate, a bundle did not
 * start or a configuration was not read; without this, a person at the console would only
 * see that something stopped working.
 *
 * <p>Entries logged before this component was activated are printed first, from the log's
 * history. It listens through {@link LogReaderService#addLogListener} and registers no service
 * (a listener service would be called twice by a log that also honours a whiteboard).
 * Threading: the log delivers entries on its own thread.
 */
@Component(immediate = true, service = {})
public final class ConsoleLog implements LogListener {

    private static final int MAX_CAUSES = 5;
    private static final String FELIX_LOG_COPY = "org.apache.felix.log.LogException";

    private final LogReaderService reader;
    private final Console console;

    /**
     * Prints the warnings and errors already in the log, then listens for new ones.
     *
     * @param reader the OSGi log
     */
    @Activate
    public ConsoleLog(@Reference LogReaderService reader) {
        this(reader, new Console(System.out, System::nanoTime));
    }

    ConsoleLog(LogReaderService reader, Console console) {
        this.reader = reader;
        this.console = console;
        // Listen first, then replay: an entry logged in between is printed by both, and the
        // console drops the repeat.
        reader.addLogListener(this);
        List<LogEntry> history = new ArrayList<>();
        for (Enumeration<LogEntry> entries = reader.getLog(); entries.hasMoreElements();) {
            history.add(entries.nextElement());
        }
        Collections.reverse(history); // the log gives the newest first
        history.forEach(this::logged);
    }

    /** Stops listening. */
    @Deactivate
    void deactivate() {
        reader.removeLogListener(this);
    }

    @Override
    public void logged(LogEntry entry) {
        String line = describe(entry.getLogLevel(), bundle(entry.getBundle()),
                entry.getMessage(), entry.getException());
        if (line != null) {
            console.print(line);
        }
    }

    /**
     * @param level the entry's level
     * @param bundle the bundle that logged it, as {@code bsn [id]}
     * @param message the entry's message
     * @param exception the entry's exception, or null
     * @return the console line for a warning, an error or an audit entry; else null
     */
    static String describe(LogLevel level, String bundle, String message,
            Throwable exception) {
        if (level != LogLevel.WARN && level != LogLevel.ERROR && level != LogLevel.AUDIT) {
            return null;
        }
        StringBuilder line = new StringBuilder(level.name()).append(" from ").append(bundle)
                .append(": ").append(message);
        Throwable cause = exception;
        for (int i = 0; cause != null && i < MAX_CAUSES; i++) {
            line.append(i == 0 ? ": " : "; caused by ").append(text(cause));
            cause = cause.getCause() == cause ? null : cause.getCause();
        }
        return line.toString();
    }

    /**
     * Felix Log keeps a copy of an exception (so that the log does not pin the class loader
     * of the bundle that logged it), whose message is the original's {@code toString()}.
     */
    private static String text(Throwable exception) {
        if (exception.getClass().getName().equals(FELIX_LOG_COPY)
                && exception.getMessage() != null) {
            return exception.getMessage();
        }
        return exception.toString();
    }

    static String bundle(Bundle bundle) {
        if (bundle == null) {
            return "an unknown bundle";
        }
        String name = bundle.getSymbolicName();
        return (name == null ? bundle.getLocation() : name) + " [" + bundle.getBundleId() + "]";
    }
}
