package dev.braid.readme;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.braid.BraidApplication;
import dev.braid.readme.ShellExamples.Example;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.util.FileSystemUtils;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The README's shell examples work as written: the service is started as its examples section
 * starts it (the arguments of its {@code spring-boot:run} line, on a random port and a fresh data
 * folder), then every {@code curl} and {@code java} command of a {@code ```bash} block runs in order,
 * as a reader would paste them into one terminal. A command fails the build when it exits non-zero,
 * answers outside 2xx or with an error envelope. The other commands are listed below with why they
 * cannot run here, and the list must match the README, so a new example is never skipped unnoticed.
 */
class ReadmeExamplesTest {

    private static final Path README = Path.of("README.md");
    private static final String SERVICE_EXAMPLE = "./mvnw spring-boot:run -Dspring-boot.run.arguments=";

    /** Commands the test does not run, by how they start, and why. */
    private static final Map<String, String> EXCLUDED = new LinkedHashMap<>();

    static {
        EXCLUDED.put("./mvnw spring-boot:run", "starts the service on :8080 and blocks; the test starts it in-process");
        EXCLUDED.put("./mvnw -B verify", "the build this test is part of");
        EXCLUDED.put(SERVICE_EXAMPLE, "blocks serving; the test starts the service with these same arguments");
        EXCLUDED.put("java -jar target/braid.jar bench --model braid-cllm",
                "a benchmark of minutes; its figures are the README's table of the guess budgets");
        EXCLUDED.put("java -jar target/braid.jar bench --model braid-cllm --cpu-threads 1 --strategy ar,lookahead,jacobi --auto",
                "a benchmark of minutes; its figures are the README's table of auto against the per-prompt best");
        EXCLUDED.put("java -jar target/braid.jar bench --model braid-base",
                "a benchmark of minutes; its figures are the README's performance tables");
        EXCLUDED.put("./mvnw -B -DskipTests jib:build", "pushes an image: needs a registry");
        EXCLUDED.put("./mvnw -B -DskipTests jib:dockerBuild", "needs a Docker daemon");
        EXCLUDED.put("./mvnw -B -DskipTests jib:buildTar", "pulls the base image from Docker Hub");
        EXCLUDED.put("docker run", "needs a Docker daemon and a pushed image");
        EXCLUDED.put("./mvnw -B -DskipTests -Pcuda jib:build", "pushes a CUDA image: needs a registry and CUDA natives");
        EXCLUDED.put("kubectl create secret", "needs a Kubernetes cluster");
        EXCLUDED.put("helm install", "needs a Kubernetes cluster");
    }

    private static final Pattern ARGUMENTS = Pattern.compile(Pattern.quote(SERVICE_EXAMPLE) + "\"([^\"]*)\"");
    private static final Pattern ERROR_ENVELOPE = Pattern.compile("(?m)^(data:\\s*)?\\{\\s*\"error\"\\s*:|^event:\\s*error");

    @Test
    void everyExampleWorksAsWritten() throws Exception {
        List<String> readme = Files.readAllLines(README);
        List<Example> examples = ShellExamples.of(readme);
        Map<String, List<Example>> excluded = new LinkedHashMap<>();
        EXCLUDED.keySet().forEach(prefix -> excluded.put(prefix, new ArrayList<>()));
        List<Example> runnable = new ArrayList<>();
        List<Example> unaccounted = new ArrayList<>();
        for (Example example : examples) {
            String prefix = EXCLUDED.keySet().stream().filter(p -> startsWithCommand(example.normalized(), p))
                    .reduce((a, b) -> a.length() >= b.length() ? a : b).orElse(null);
            if (prefix != null) {
                excluded.get(prefix).add(example);
            } else if (runs(example)) {
                runnable.add(example);
            } else {
                unaccounted.add(example);
            }
        }
        assertThat(unaccounted).as("README commands neither run by this test nor excluded with a reason").isEmpty();
        excluded.forEach((prefix, matched) -> assertThat(matched)
                .as("exclusion '%s' (%s) must match exactly one README command", prefix, EXCLUDED.get(prefix))
                .hasSize(1));
        assertThat(runnable).as("curl and java examples").hasSizeGreaterThan(20);

        Path scratch = Files.createTempDirectory("braid-readme");
        try (ConfigurableApplicationContext service = start(excluded.get(SERVICE_EXAMPLE).get(0), scratch)) {
            int port = Integer.parseInt(service.getEnvironment().getRequiredProperty("local.server.port"));
            awaitReady(port);
            ExampleShell shell = new ExampleShell(port, scratch, Path.of("").toAbsolutePath());
            for (Example example : runnable) {
                check(example, shell, readme);
            }
            System.out.printf("README: %d commands ran as written, %d excluded%n", runnable.size(), EXCLUDED.size());
        } finally {
            FileSystemUtils.deleteRecursively(scratch);
        }
    }

    /** {@code command} is {@code prefix}, or {@code prefix} followed by more words. */
    private static boolean startsWithCommand(String command, String prefix) {
        return command.startsWith(prefix) && (command.length() == prefix.length() || prefix.endsWith("=")
                || Character.isWhitespace(command.charAt(prefix.length())));
    }

    private static boolean runs(Example example) {
        String command = example.normalized();
        return command.startsWith("curl ") || command.startsWith("java ") || ExampleShell.isAssignment(command);
    }

    private static void check(Example example, ExampleShell shell, List<String> readme) throws Exception {
        String command = example.normalized();
        if (ExampleShell.isAssignment(command)) {
            ExampleShell.Outcome outcome = shell.assign(example.command());
            if (outcome.exit() != 0 || outcome.stdout().isBlank()) {
                fail("%s%n  as run: %s%n  set nothing (exit %d): %s", example, shell.adapt(example.command()),
                        outcome.exit(), outcome.stderr());
            }
            return;
        }
        ExampleShell.Outcome outcome = shell.run(example.command());
        String what = String.format("%s%n  as run: %s%n  exit %d, HTTP %d%n  stdout: %s%n  stderr: %s", example,
                shell.adapt(example.command()), outcome.exit(), outcome.httpStatus(), tail(outcome.stdout()),
                tail(outcome.stderr()));
        assertThat(outcome.exit()).as(what).isZero();
        if (command.startsWith("curl ")) {
            assertThat(outcome.httpStatus()).as(what).isBetween(200, 299);
            assertThat(ERROR_ENVELOPE.matcher(outcome.body()).find()).as("an error envelope: " + what).isFalse();
        } else if (command.contains(" --json")) {
            figuresAsPrinted(example, outcome.stdout(), readme);
        }
    }

    /**
     * Where the prose after a {@code --json} example quotes fields of its output
     * ({@code "steps":73}), they are what it printed: a greedy run's figures do not drift from the text.
     */
    private static void figuresAsPrinted(Example example, String stdout, List<String> readme) {
        String[] lines = stdout.strip().split("\n");
        JsonNode printed = JsonMapper.shared().readTree(lines[lines.length - 1]);
        String after = String.join("\n", readme.subList(example.line(), Math.min(readme.size(), example.line() + 20)));
        Matcher quoted = Pattern.compile("`\"([a-z_]+)\":(\\d+)`").matcher(after);
        int checked = 0;
        while (quoted.find()) {
            assertThat(printed.path(quoted.group(1)).asLong()).as("%s%n  README quotes \"%s\":%s", example,
                    quoted.group(1), quoted.group(2)).isEqualTo(Long.parseLong(quoted.group(2)));
            checked++;
        }
        System.out.printf("README example at line %d printed %s (%d quoted figures checked)%n", example.line(),
                lines[lines.length - 1].replaceAll("\"text\":\"[^\"]*\"", "\"text\":…"), checked);
    }

    /** The service as the README starts it, on a random port and a data folder of its own. */
    private static ConfigurableApplicationContext start(Example serviceExample, Path scratch) {
        Matcher m = ARGUMENTS.matcher(serviceExample.normalized());
        assertThat(m.find()).as("the service's arguments in %s", serviceExample).isTrue();
        String arguments = m.group(1).replace("$PWD", Path.of("").toAbsolutePath().toString());
        List<String> args = new ArrayList<>(Arrays.asList(arguments.trim().split("\\s+")));
        args.add("--server.port=0");
        args.add("--spring.datasource.url=jdbc:h2:file:" + scratch.resolve("data/braid")
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH");
        return new SpringApplicationBuilder(BraidApplication.class).run(args.toArray(String[]::new));
    }

    private static void awaitReady(int port) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/actuator/health/readiness"))
                .timeout(Duration.ofSeconds(5)).build();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        int status = 0;
        while (System.nanoTime() < deadline) {
            status = http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode();
            if (status == 200) {
                return;
            }
            Thread.sleep(200);
        }
        fail("the service was not ready within 60 s (readiness answered %d)", status);
    }

    private static String tail(String text) {
        String t = text.strip();
        return t.length() <= 2000 ? t : "…" + t.substring(t.length() - 2000);
    }
}
