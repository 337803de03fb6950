package dev.braid.model;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The models that ship inside Braid's jar ({@code models/NAME/} on the classpath). Weights are
 * memory-mapped from a folder, so a model inside a jar is first copied to a cache folder, once.
 */
public final class BundledModels {

    public static final List<String> NAMES = List.of("braid-base", "braid-draft", "braid-cllm", "braid-apar");

    /** Digests per classpath and model: a jar's content does not change while it runs. */
    private static final Map<List<Object>, String> DIGESTS = new ConcurrentHashMap<>();

    private static final List<String> FILES = List.of("config.json", "generation_config.json", "tokenizer.json",
            "tokenizer_config.json", Checkpoint.SINGLE_FILE);

    private BundledModels() {
    }

    /** How a registry path names a bundled model: {@code bundled:braid-base}. */
    public static final String SCHEME = "bundled:";

    /**
     * The folder a registry path stands for: a bundled model for {@code bundled:NAME}, else the path.
     * Registries keep the {@code bundled:} form, since an unpacked copy may move between starts.
     */
    public static Path resolve(String path) {
        if (path.startsWith(SCHEME)) {
            String name = path.substring(SCHEME.length());
            return folder(name).orElseThrow(() -> new ModelLoadException(path + ": no bundled model named '" + name
                    + "' (bundled: " + String.join(", ", NAMES) + ")"));
        }
        return Path.of(path);
    }

    /** The folder of bundled model {@code name}, or empty when no such model ships. */
    public static Optional<Path> folder(String name) {
        return folder(name, BundledModels.class.getClassLoader(),
                Path.of(System.getProperty("braid.model-cache", System.getProperty("java.io.tmpdir"))));
    }

    /** {@link #folder(String)} from the given classpath, unpacking under {@code cacheRoot}. */
    static Optional<Path> folder(String name, ClassLoader classpath, Path cacheRoot) {
        if (!NAMES.contains(name)) {
            return Optional.empty();
        }
        URL config = classpath.getResource("models/" + name + "/config.json");
        if (config == null) {
            return Optional.empty();
        }
        if ("file".equals(config.getProtocol())) {
            try {
                return Optional.of(Path.of(config.toURI()).getParent());
            } catch (URISyntaxException e) {
                throw new IllegalStateException("bad classpath location " + config, e);
            }
        }
        return Optional.of(extract(name, classpath, cacheRoot));
    }

    /**
     * Unpacks the model into a folder named by a digest of its files: a jar whose model was retrained
     * at the same size must not find the old weights there. The folder itself is named for the model,
     * as tools show it.
     */
    private static Path extract(String name, ClassLoader classpath, Path cacheRoot) {
        String digest = DIGESTS.computeIfAbsent(List.of(classpath, name), key -> digest(name, classpath));
        Path cache = cacheRoot.resolve("braid-models").resolve(digest).resolve(name);
        if (Files.isRegularFile(cache.resolve(Checkpoint.SINGLE_FILE))) {
            return cache;
        }
        try {
            Files.createDirectories(cache.getParent());
            Path partial = Files.createDirectories(cache.resolveSibling(name + ".partial-" + ProcessHandle.current().pid()));
            for (String file : FILES) {
                try (InputStream in = open(classpath, "models/" + name + "/" + file)) {
                    Files.copy(in, partial.resolve(file), StandardCopyOption.REPLACE_EXISTING);
                }
            }
            try {
                Files.move(partial, cache, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException raced) {
                if (!Files.isRegularFile(cache.resolve(Checkpoint.SINGLE_FILE))) {
                    throw raced;
                }
            }
            return cache;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unpack bundled model " + name + " to " + cache + ": " + e.getMessage(), e);
        }
    }

    /** The first 16 hex digits of the SHA-256 of the model's files, in order. */
    private static String digest(String name, ClassLoader classpath) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
        byte[] buffer = new byte[1 << 16];
        for (String file : FILES) {
            try (InputStream in = open(classpath, "models/" + name + "/" + file)) {
                for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                    sha.update(buffer, 0, n);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read bundled model " + name + ": " + e.getMessage(), e);
            }
        }
        return HexFormat.of().formatHex(sha.digest(), 0, 8);
    }

    private static InputStream open(ClassLoader classpath, String resource) throws IOException {
        InputStream in = classpath.getResourceAsStream(resource);
        if (in == null) {
            throw new ModelLoadException(resource + ": bundled file is missing from the jar");
        }
        return in;
    }
}
