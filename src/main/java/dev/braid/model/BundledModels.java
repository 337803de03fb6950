package dev.braid.model;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;

/**
 * The models that ship inside Braid's jar ({@code models/NAME/} on the classpath). Weights are
 * memory-mapped from a folder, so a model inside a jar is first copied to a cache folder, once.
 */
public final class BundledModels {

    public static final List<String> NAMES = List.of("braid-base", "braid-draft", "braid-cllm", "braid-apar");

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
        if (!NAMES.contains(name)) {
            return Optional.empty();
        }
        URL config = BundledModels.class.getClassLoader().getResource("models/" + name + "/config.json");
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
        return Optional.of(extract(name));
    }

    private static Path extract(String name) {
        long size = resourceSize("models/" + name + "/" + Checkpoint.SINGLE_FILE);
        Path cache = Path.of(System.getProperty("braid.model-cache", System.getProperty("java.io.tmpdir")))
                .resolve("braid-models").resolve(name + "-" + size);
        if (Files.isRegularFile(cache.resolve(Checkpoint.SINGLE_FILE))) {
            return cache;
        }
        try {
            Path partial = Files.createDirectories(cache.resolveSibling(cache.getFileName() + ".partial-" + ProcessHandle.current().pid()));
            for (String file : FILES) {
                try (InputStream in = open("models/" + name + "/" + file)) {
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

    private static long resourceSize(String resource) {
        try {
            URL url = BundledModels.class.getClassLoader().getResource(resource);
            if (url == null) {
                throw new ModelLoadException(resource + ": bundled file is missing from the jar");
            }
            return url.openConnection().getContentLengthLong();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static InputStream open(String resource) throws IOException {
        InputStream in = BundledModels.class.getClassLoader().getResourceAsStream(resource);
        if (in == null) {
            throw new ModelLoadException(resource + ": bundled file is missing from the jar");
        }
        return in;
    }
}
