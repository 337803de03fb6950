package dev.braid.readme;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs README commands in bash as written, pointed at a service of the test's own: its port for
 * {@code localhost:8080}, the test's classes for {@code target/braid.jar} (a test runs before the jar
 * is packaged), a fresh folder for {@code /tmp/}. Variables a command assigns are kept for the
 * commands after it, as in one terminal.
 */
final class ExampleShell {

    private static final Pattern ASSIGNMENT = Pattern.compile("^([A-Za-z_][A-Za-z0-9_]*)=.*", Pattern.DOTALL);
    private static final Pattern STATUS = Pattern.compile("\\nHTTP_STATUS (\\d{3})\\n?$");
    /** curl as written, plus its status where the test can read it; no progress meter, a bound on time. */
    private static final String CURL = "curl() { command curl --silent --show-error --max-time 120 "
            + "--write-out '\\nHTTP_STATUS %{http_code}\\n' \"$@\"; }\n";
    private static final long TIMEOUT_SECONDS = 150;

    /** What one command did: its exit status, its standard output and error, and for curl its HTTP status. */
    record Outcome(int exit, String stdout, String stderr, int httpStatus) {

        String body() {
            Matcher m = STATUS.matcher(stdout);
            return m.find() ? stdout.substring(0, m.start()) : stdout;
        }
    }

    private final int port;
    private final Path scratch;
    private final Path workDir;
    private final Map<String, String> variables = new HashMap<>();

    ExampleShell(int port, Path scratch, Path workDir) {
        this.port = port;
        this.scratch = scratch;
        this.workDir = workDir;
    }

    static boolean isAssignment(String command) {
        return ASSIGNMENT.matcher(command).matches();
    }

    /** The command as this shell runs it. */
    String adapt(String command) {
        return command.replace("localhost:8080", "localhost:" + port)
                .replace("-jar target/braid.jar", "dev.braid.BraidApplication")
                .replace("/tmp/", scratch + "/");
    }

    /** Runs an assignment and keeps its value; the value must not be empty. */
    Outcome assign(String command) throws IOException, InterruptedException {
        Matcher m = ASSIGNMENT.matcher(command);
        if (!m.matches()) {
            throw new IllegalArgumentException("not an assignment: " + command);
        }
        String name = m.group(1);
        Outcome outcome = bash("set -o pipefail\n" + adapt(command) + "\nprintf '%s' \"$" + name + "\"\n");
        if (outcome.exit() == 0) {
            variables.put(name, outcome.stdout());
        }
        return outcome;
    }

    Outcome run(String command) throws IOException, InterruptedException {
        return bash("set -o pipefail\n" + CURL + adapt(command) + "\n");
    }

    private Outcome bash(String script) throws IOException, InterruptedException {
        Path out = Files.createTempFile(scratch, "stdout", ".txt");
        Path err = Files.createTempFile(scratch, "stderr", ".txt");
        ProcessBuilder builder = new ProcessBuilder("bash", "-c", script).directory(workDir.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        Map<String, String> env = builder.environment();
        env.putAll(variables);
        env.put("PATH", Path.of(System.getProperty("java.home"), "bin") + ":" + env.getOrDefault("PATH", ""));
        // the test's own classpath: surefire names it apart from the booter jar it runs tests through
        env.put("CLASSPATH", System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")));
        Process process = builder.start();
        if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly().waitFor();
            return new Outcome(-1, read(out), read(err) + "\n(killed after " + TIMEOUT_SECONDS + " s)", -1);
        }
        String stdout = read(out);
        Matcher status = STATUS.matcher(stdout);
        return new Outcome(process.exitValue(), stdout, read(err), status.find() ? Integer.parseInt(status.group(1)) : -1);
    }

    private static String read(Path file) throws IOException {
        return Files.readString(file, StandardCharsets.UTF_8);
    }
}
