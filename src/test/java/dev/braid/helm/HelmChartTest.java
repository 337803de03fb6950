package dev.braid.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * Renders helm/braid with Helm itself (helm-java's bundled library) and checks the parsed
 * manifests: what each values file must produce, and that the chart matches what the application
 * serves (health groups, metric names, property names).
 */
class HelmChartTest {

    static final Path CHART = Path.of("helm/braid");
    static final String RELEASE = "prod";
    static final String FULLNAME = "prod-braid";

    /** The rendered manifests, by kind and name. */
    record Manifests(List<Map<String, Object>> all) {

        List<Map<String, Object>> ofKind(String kind) {
            return all.stream().filter(m -> kind.equals(m.get("kind"))).toList();
        }

        Map<String, Object> one(String kind) {
            List<Map<String, Object>> found = ofKind(kind);
            assertThat(found).as("exactly one %s", kind).hasSize(1);
            return found.getFirst();
        }

        Map<String, Object> podSpec() {
            return map(map(map(one("Deployment"), "spec"), "template"), "spec");
        }

        Map<String, Object> container() {
            List<Map<String, Object>> containers = list(podSpec(), "containers");
            assertThat(containers).hasSize(1);
            return containers.getFirst();
        }

        List<Map<String, Object>> env() {
            return list(container(), "env");
        }

        Map<String, Object> envVar(String name) {
            return env().stream().filter(e -> name.equals(e.get("name"))).findFirst()
                    .orElseThrow(() -> new AssertionError("no env " + name + " in " + env()));
        }

        /** The Spring properties the ConfigMap carries, parsed. */
        Map<String, Object> settings() {
            return new Yaml().load((String) map(one("ConfigMap"), "data").get("application.yaml"));
        }

        Map<String, Object> volume(String name) {
            return list(podSpec(), "volumes").stream().filter(v -> name.equals(v.get("name"))).findFirst()
                    .orElseThrow(() -> new AssertionError("no volume " + name));
        }

        Map<String, Object> mount(String name) {
            return list(container(), "volumeMounts").stream().filter(v -> name.equals(v.get("name"))).findFirst()
                    .orElseThrow(() -> new AssertionError("no mount " + name));
        }
    }

    static Manifests render(UnaryOperator<TemplateCommand> values) {
        String yaml = values.apply(new Helm(CHART).template().withName(RELEASE).withNamespace("ml").withKubeVersion("1.30.0")).call();
        List<Map<String, Object>> docs = new ArrayList<>();
        for (Object doc : new Yaml().loadAll(yaml)) {
            if (doc != null) {
                docs.add(cast(doc));
            }
        }
        assertThat(docs).isNotEmpty();
        return new Manifests(docs);
    }

    static Manifests render(String valuesFile) {
        return render(t -> t.withValuesFile(CHART.resolve("ci").resolve(valuesFile)));
    }

    @Test
    void chartLintsCleanInStrictMode() {
        LintResult lint = new Helm(CHART).lint().strict().call();
        assertThat(lint.isFailed()).as("lint messages: %s", lint.getMessages()).isFalse();
    }

    @Test
    void defaultsRenderACpuDeploymentWithAGeneratedSecretAndNoOptionalObjects() {
        Manifests m = render(UnaryOperator.identity());
        assertThat(m.all()).extracting(d -> d.get("kind")).containsExactlyInAnyOrder(
                "ServiceAccount", "Secret", "ConfigMap", "Service", "Deployment", "PodDisruptionBudget");
        assertThat(at(m.one("Deployment"), "spec", "replicas")).isEqualTo(1);

        // no GPU asked for: no extended resource, one CPU worker
        Map<String, Object> resources = map(m.container(), "resources");
        assertThat(map(resources, "limits")).doesNotContainKey("nvidia.com/gpu").containsEntry("memory", "8Gi");
        assertThat(at(m.settings(), "braid", "engine", "devices")).isEqualTo(List.of("cpu"));
        // engine sizes are Braid's own defaults unless set: the chart repeats none of them
        assertThat(map(map(m.settings(), "braid"), "engine")).containsOnlyKeys("devices");
        // no seeds given: the bundled models only
        assertThat(at(m.settings(), "braid", "models")).isEqualTo(Map.of("bundled", true));

        // the chart's own Secrets: database credentials, and a generated admin password created
        // once at install (a hook), so upgrades neither change it nor roll the pods for it
        Map<String, Object> db = secret(m, FULLNAME);
        assertThat(decode(map(db, "data"), "database-url")).isEqualTo("jdbc:postgresql://postgresql:5432/braid");
        assertThat(map(db, "data")).doesNotContainKey("admin-password");
        // helm-java's rendering leaves hooks out (like a release's manifest), so the hook is read as text
        String hook = read(CHART.resolve("templates/admin-secret.yaml").toString());
        assertThat(hook).contains("helm.sh/hook: pre-install", "include \"braid.adminSecretName\"",
                "randAlphaNum 24");
        assertThat(secretRef(m, "BRAID_ADMIN_PASSWORD")).containsEntry("name", FULLNAME + "-admin")
                .containsEntry("key", "admin-password");
        assertThat(secretRef(m, "SPRING_DATASOURCE_URL")).containsEntry("name", FULLNAME)
                .containsEntry("key", "database-url");
        assertThat(secretRef(m, "SPRING_DATASOURCE_PASSWORD")).containsEntry("name", FULLNAME);

        // a given admin password goes into the main Secret instead, and no hook is rendered
        Manifests given = render(t -> t.set("admin.password", "s3cret"));
        assertThat(given.ofKind("Secret")).singleElement().satisfies(s ->
                assertThat(decode(map(s, "data"), "admin-password")).isEqualTo("s3cret"));
        assertThat(secretRef(given, "BRAID_ADMIN_PASSWORD")).containsEntry("name", FULLNAME);
        assertThat(m.envVar("SPRING_PROFILES_ACTIVE")).containsEntry("value", "prod");

        // without persistence the models folder still exists, empty
        assertThat(m.volume("models")).containsKey("emptyDir");
        assertThat(m.mount("models")).containsEntry("mountPath", "/models");
        assertThat(m.all()).extracting(d -> d.get("kind")).doesNotContain("PersistentVolumeClaim");
    }

    @Test
    void probesHitTheActuatorHealthGroupsAndShutdownOutlastsTheDrain() {
        Manifests m = render(UnaryOperator.identity());
        Map<String, Object> c = m.container();
        assertThat(at(c, "livenessProbe", "httpGet", "path")).isEqualTo("/actuator/health/liveness");
        assertThat(at(c, "readinessProbe", "httpGet", "path")).isEqualTo("/actuator/health/readiness");
        assertThat(at(c, "startupProbe", "httpGet", "path")).isEqualTo("/actuator/health/liveness");
        assertThat(at(c, "livenessProbe", "httpGet", "port")).isEqualTo("http");
        // generous: JVM, Flyway and the web server get 10 minutes before liveness judges them
        int startupSeconds = (int) at(c, "startupProbe", "periodSeconds") * (int) at(c, "startupProbe", "failureThreshold");
        assertThat(startupSeconds).isGreaterThanOrEqualTo(300);

        // preStop pause, then drain, then the web server's phase: the grace period covers all three
        assertThat(at(c, "lifecycle", "preStop", "exec", "command")).isEqualTo(List.of("sleep", "10"));
        assertThat(at(m.settings(), "braid", "ops", "drain-timeout")).isEqualTo("60s");
        assertThat(at(m.settings(), "spring", "lifecycle", "timeout-per-shutdown-phase")).isEqualTo("20s");
        assertThat((int) m.podSpec().get("terminationGracePeriodSeconds")).isGreaterThan(10 + 60 + 20);

        // the health groups the probes use exist in the application's configuration
        String applicationYml = read("src/main/resources/application.yml");
        Map<String, Object> app = new Yaml().load(applicationYml);
        Map<String, Object> groups = cast(at(app, "management", "endpoint", "health", "group"));
        assertThat(groups).containsKeys("liveness", "readiness");
        assertThat((String) at(groups, "readiness", "include")).contains("readinessState", "workerPool");
        assertThat((Boolean) at(app, "management", "endpoint", "health", "probes", "enabled")).isTrue();
    }

    @Test
    void podIsRestrictedAndEveryWritablePathIsAVolume() {
        Manifests m = render(UnaryOperator.identity());
        assertThat(map(m.podSpec(), "securityContext")).containsEntry("runAsNonRoot", true)
                .containsEntry("runAsUser", 1000);
        Map<String, Object> sc = map(m.container(), "securityContext");
        assertThat(sc).containsEntry("readOnlyRootFilesystem", true).containsEntry("allowPrivilegeEscalation", false);
        assertThat(at(sc, "capabilities", "drop")).isEqualTo(List.of("ALL"));

        // DJL's native libraries, its cache and the unpacked bundled models land on emptyDirs
        List<String> writable = List.of((String) m.mount("tmp").get("mountPath"),
                (String) m.mount("cache").get("mountPath"));
        assertThat(m.volume("tmp")).containsKey("emptyDir");
        assertThat(m.volume("cache")).containsKey("emptyDir");
        for (String env : List.of("DJL_CACHE_DIR", "ENGINE_CACHE_DIR", "HOME")) {
            String path = (String) m.envVar(env).get("value");
            assertThat(writable).as("%s=%s lies on a writable volume", env, path).anyMatch(path::startsWith);
        }
        String toolOptions = (String) m.envVar("JAVA_TOOL_OPTIONS").get("value");
        assertThat(toolOptions).contains("-Dbraid.model-cache=/var/cache/braid/models", "-Djava.io.tmpdir=/tmp",
                "-XX:MaxRAMPercentage=50");
        assertThat(m.envVar("SPRING_CONFIG_ADDITIONAL_LOCATION").get("value")).isEqualTo("optional:file:/config/");
        assertThat(m.mount("config")).containsEntry("mountPath", "/config").containsEntry("readOnly", true);
        assertThat(at(m.volume("config"), "configMap", "name")).isEqualTo(FULLNAME);
        assertThat(at(m.envVar("BRAID_JOBS_REPLICA_ID"), "valueFrom", "fieldRef", "fieldPath"))
                .isEqualTo("metadata.name");
    }

    @Test
    void gpuValuesRequestGpusRunAWorkerOnEachAndMountTheModelsClaim() {
        Manifests m = render("gpu-values.yaml");
        Map<String, Object> limits = map(map(m.container(), "resources"), "limits");
        assertThat(limits).containsEntry("nvidia.com/gpu", 2).containsEntry("memory", "8Gi");
        assertThat(at(m.settings(), "braid", "engine", "devices")).isEqualTo(List.of("gpu:0", "gpu:1"));
        assertThat((String) at(m.container(), "image")).isEqualTo("ghcr.io/braid-dev/braid:0.1.0-cuda");
        assertThat(m.podSpec().get("nodeSelector")).isEqualTo(Map.of("nvidia.com/gpu.present", "true"));
        assertThat(list(m.podSpec(), "tolerations")).singleElement()
                .satisfies(t -> assertThat(t).containsEntry("key", "nvidia.com/gpu"));

        // the created claim is mounted where the seeded model's path points
        Map<String, Object> pvc = m.one("PersistentVolumeClaim");
        assertThat(at(pvc, "metadata", "name")).isEqualTo(FULLNAME + "-models");
        assertThat(at(pvc, "spec", "resources", "requests", "storage")).isEqualTo("100Gi");
        assertThat(at(pvc, "metadata", "annotations", "helm.sh/resource-policy")).isEqualTo("keep");
        assertThat(at(m.volume("models"), "persistentVolumeClaim", "claimName")).isEqualTo(FULLNAME + "-models");
        String mountPath = (String) m.mount("models").get("mountPath");
        assertThat(at(m.settings(), "braid", "models", "bundled")).isEqualTo(false);
        List<Map<String, Object>> seeds = cast(at(m.settings(), "braid", "models", "seed"));
        assertThat(seeds).singleElement().satisfies(s -> {
            assertThat(s).containsEntry("name", "llama");
            assertThat((String) s.get("path")).startsWith(mountPath + "/");
        });
        // the CUDA image's own engine cache (its baked natives) is left alone
        assertThat(m.env()).noneMatch(e -> "ENGINE_CACHE_DIR".equals(e.get("name")));

        // KEDA scales on the queue and KV use; the Deployment leaves the count to it
        assertThat(map(m.one("Deployment"), "spec")).doesNotContainKey("replicas");
        assertThat(m.ofKind("HorizontalPodAutoscaler")).isEmpty();
        List<Map<String, Object>> triggers = list(map(m.one("ScaledObject"), "spec"), "triggers");
        assertThat(triggers).extracting(t -> (String) at(t, "metadata", "query"))
                .anyMatch(q -> q.contains("braid_worker_waiting"))
                .anyMatch(q -> q.contains("braid_kv_blocks_used") && q.contains("braid_kv_blocks_total"))
                .allMatch(q -> q.contains("namespace=\"ml\""));
        Map<String, Object> endpoint = list(map(m.one("ServiceMonitor"), "spec"), "endpoints").getFirst();
        assertThat(endpoint).containsEntry("path", "/actuator/prometheus").containsEntry("port", "http");
    }

    @Test
    void existingSecretRendersNoSecretAndEveryReferenceNamesIt() {
        Manifests m = render("existing-secret-values.yaml");
        assertThat(m.ofKind("Secret")).isEmpty();
        List<Map<String, Object>> refs = m.env().stream()
                .filter(e -> e.get("valueFrom") instanceof Map<?, ?> from && from.containsKey("secretKeyRef"))
                .map(e -> (Map<String, Object>) cast(at(e, "valueFrom", "secretKeyRef"))).toList();
        assertThat(refs).hasSize(4).allSatisfy(r -> assertThat(r).containsEntry("name", "braid-credentials"));
        assertThat(refs).extracting(r -> r.get("key")).containsExactlyInAnyOrder(
                "database-url", "database-username", "database-password", "admin-password");
        Map<String, Object> annotations = cast(at(m.one("Deployment"), "spec", "template", "metadata", "annotations"));
        assertThat(annotations).containsKey("checksum/config").doesNotContainKey("checksum/secret");

        // an existing claim is mounted, none created
        assertThat(m.ofKind("PersistentVolumeClaim")).isEmpty();
        assertThat(at(m.volume("models"), "persistentVolumeClaim", "claimName")).isEqualTo("shared-models");
        assertThat(m.mount("models")).containsEntry("readOnly", true);

        // the HPA scales on per-pod queue depth and KV use, never on CPU
        List<Map<String, Object>> metrics = list(map(m.one("HorizontalPodAutoscaler"), "spec"), "metrics");
        assertThat(metrics).allSatisfy(x -> assertThat(x).containsEntry("type", "Pods"));
        assertThat(metrics).extracting(x -> at(x, "pods", "metric", "name"))
                .containsExactly("braid_worker_waiting", "braid_kv_usage_ratio");
        assertThat(m.ofKind("ScaledObject")).isEmpty();
    }

    @Test
    void theMetricsTheAutoscalersUseAreTheOnesTheApplicationExports() {
        // Micrometer's Prometheus names: dots become underscores; gauges get no suffix
        String meters = read("src/main/java/dev/braid/metrics/WorkerMeters.java");
        assertThat(meters).contains("\"braid.worker.waiting\"", "\"braid.kv.blocks.used\"", "\"braid.kv.blocks.total\"");
        Manifests m = render(t -> t.set("autoscaling.enabled", true));
        assertThat(at(list(map(m.one("HorizontalPodAutoscaler"), "spec"), "metrics").getFirst(), "pods", "metric", "name"))
                .isEqualTo("braid.worker.waiting".replace('.', '_'));
    }

    @Test
    void settingsOverrideWhatTheChartDerives() {
        Manifests m = render(t -> t.set("settings.braid.engine.devices[0]", "gpu:3")
                .set("settings.braid.jobs.max-running", 2));
        assertThat(at(m.settings(), "braid", "engine", "devices")).isEqualTo(List.of("gpu:3"));
        assertThat(at(m.settings(), "braid", "jobs", "max-running")).isEqualTo(2);
        // untouched defaults survive the merge
        assertThat(at(m.settings(), "braid", "admission", "max-queued-requests")).isEqualTo(256);
    }

    @Test
    void theSchemaRejectsImpossibleValues() {
        assertThatThrownBy(() -> render(t -> t.set("gpu.count", 0))).hasMessageContaining("gpu");
        assertThatThrownBy(() -> render(t -> t.set("autoscaling.mode", "cpu"))).hasMessageContaining("mode");
        assertThatThrownBy(() -> render(t -> t.set("databse.url", "jdbc:x"))).hasMessageContaining("databse");
        assertThatThrownBy(() -> render(t -> t.set("database.url", "postgres://db/braid")))
                .hasMessageContaining("url");
    }

    // --- small helpers over SnakeYAML's maps and lists

    @SuppressWarnings("unchecked")
    static <T> T cast(Object o) {
        return (T) o;
    }

    static Map<String, Object> map(Map<String, Object> m, String key) {
        Object v = m.get(key);
        assertThat(v).as("%s in %s", key, m.keySet()).isInstanceOf(Map.class);
        return cast(v);
    }

    static List<Map<String, Object>> list(Map<String, Object> m, String key) {
        Object v = m.get(key);
        assertThat(v).as("%s in %s", key, m.keySet()).isInstanceOf(List.class);
        return cast(v);
    }

    static Object at(Map<String, Object> m, String... path) {
        Object cur = m;
        for (String key : path) {
            assertThat(cur).as("%s along %s", key, String.join(".", path)).isInstanceOf(Map.class);
            cur = ((Map<?, ?>) cur).get(key);
        }
        return cur;
    }

    static Map<String, Object> secret(Manifests m, String name) {
        return m.ofKind("Secret").stream().filter(s -> name.equals(at(s, "metadata", "name"))).findFirst()
                .orElseThrow(() -> new AssertionError("no Secret " + name));
    }

    static Map<String, Object> secretRef(Manifests m, String env) {
        return cast(at(m.envVar(env), "valueFrom", "secretKeyRef"));
    }

    static String decode(Map<String, Object> data, String key) {
        return new String(Base64.getDecoder().decode(Objects.requireNonNull((String) data.get(key), key)),
                StandardCharsets.UTF_8);
    }

    static String read(String path) {
        try {
            return Files.readString(Path.of(path));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
