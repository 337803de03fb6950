package dev.braid.model;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import tools.jackson.databind.JsonNode;

/**
 * The weights of a Hugging Face model folder: a single {@code model.safetensors}, or shards listed
 * by {@code model.safetensors.index.json}. Every shard header is validated when the checkpoint is
 * opened, so a broken download fails before any weights are copied to the accelerator.
 */
public final class Checkpoint implements AutoCloseable {

    public static final String SINGLE_FILE = "model.safetensors";
    public static final String INDEX_FILE = "model.safetensors.index.json";

    private final Path folder;
    private final List<SafetensorsFile> files;
    private final Map<String, SafetensorsFile> owners;

    private Checkpoint(Path folder, List<SafetensorsFile> files, Map<String, SafetensorsFile> owners) {
        this.folder = folder;
        this.files = files;
        this.owners = owners;
    }

    public static Checkpoint open(Path folder) {
        if (!Files.exists(folder)) {
            throw new ModelLoadException(folder + ": model folder does not exist");
        }
        if (!Files.isDirectory(folder)) {
            throw new ModelLoadException(folder + ": is not a directory (expected a model folder)");
        }
        Path single = folder.resolve(SINGLE_FILE);
        if (Files.isRegularFile(single)) {
            return fromSingleFile(folder, single);
        }
        Path index = folder.resolve(INDEX_FILE);
        if (Files.isRegularFile(index)) {
            return fromIndex(folder, index);
        }
        String hint = Files.exists(folder.resolve("pytorch_model.bin"))
                ? "; found pytorch_model.bin, which is not supported: convert it to safetensors"
                : "";
        throw new ModelLoadException(folder + ": no weights found (expected " + SINGLE_FILE + " or " + INDEX_FILE + ")" + hint);
    }

    public Path folder() {
        return folder;
    }

    public boolean has(String tensorName) {
        return owners.containsKey(tensorName);
    }

    /** Names in sorted order, so listings and error messages are stable across shard layouts. */
    public Set<String> names() {
        return owners.keySet();
    }

    public TensorInfo info(String tensorName) {
        return owner(tensorName).info(tensorName);
    }

    public float[] readFloat32(String tensorName) {
        return owner(tensorName).readFloat32(tensorName);
    }

    /** The tensor as a float32 array of its declared shape, whatever the stored precision. */
    public NDArray load(String tensorName, NDManager manager) {
        return owner(tensorName).load(tensorName, manager);
    }

    @Override
    public void close() {
        ModelLoadException failure = null;
        for (SafetensorsFile file : files) {
            try {
                file.close();
            } catch (ModelLoadException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public String toString() {
        return "Checkpoint[" + folder + ", " + files.size() + " file(s), " + owners.size() + " tensors]";
    }

    private SafetensorsFile owner(String tensorName) {
        SafetensorsFile file = owners.get(tensorName);
        if (file == null) {
            throw new ModelLoadException("tensor \"" + tensorName + "\" not found in checkpoint " + folder);
        }
        return file;
    }

    private static Checkpoint fromSingleFile(Path folder, Path single) {
        SafetensorsFile file = SafetensorsFile.open(single);
        Map<String, SafetensorsFile> owners = new TreeMap<>();
        file.names().forEach(name -> owners.put(name, file));
        return new Checkpoint(folder, List.of(file), Collections.unmodifiableMap(owners));
    }

    private static Checkpoint fromIndex(Path folder, Path index) {
        Map<String, String> weightMap = weightMap(index);
        Map<String, SafetensorsFile> shards = new LinkedHashMap<>();
        try {
            Map<String, SafetensorsFile> owners = new TreeMap<>();
            for (var entry : weightMap.entrySet()) {
                String tensor = entry.getKey();
                String shardName = entry.getValue();
                SafetensorsFile shard = shards.get(shardName);
                if (shard == null) {
                    shard = SafetensorsFile.open(shardPath(folder, index, tensor, shardName));
                    shards.put(shardName, shard);
                }
                if (!shard.has(tensor)) {
                    throw new ModelLoadException(index + ": weight_map places tensor \"" + tensor + "\" in shard \""
                            + shardName + "\", but that shard does not contain it");
                }
                owners.put(tensor, shard);
            }
            return new Checkpoint(folder, List.copyOf(shards.values()), Collections.unmodifiableMap(owners));
        } catch (RuntimeException e) {
            for (SafetensorsFile shard : shards.values()) {
                try {
                    shard.close();
                } catch (RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    private static Map<String, String> weightMap(Path index) {
        JsonFields fields = JsonFields.read(index);
        JsonFields weightMap = fields.objectOrNull("weight_map");
        if (weightMap == null) {
            throw fields.missing("weight_map");
        }
        Map<String, String> entries = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> entry : weightMap.node().properties()) {
            if (!entry.getValue().isString()) {
                throw weightMap.error(entry.getKey(), "must name a shard file (got " + entry.getValue() + ")");
            }
            entries.put(entry.getKey(), entry.getValue().stringValue());
        }
        if (entries.isEmpty()) {
            throw fields.error("weight_map", "is empty");
        }
        return entries;
    }

    /** Shard names come from a downloaded file, so they must not reach outside the folder. */
    private static Path shardPath(Path folder, Path index, String tensor, String shardName) {
        Path base = folder.toAbsolutePath().normalize();
        Path shard = base.resolve(shardName).normalize();
        if (!shard.startsWith(base) || shard.equals(base)) {
            throw new ModelLoadException(index + ": weight_map entry \"" + tensor + "\" names shard \"" + shardName
                    + "\", which is outside the model folder");
        }
        if (!Files.isRegularFile(shard)) {
            throw new ModelLoadException(index + ": weight_map entry \"" + tensor + "\" points at shard \"" + shardName
                    + "\", which does not exist in " + folder);
        }
        return shard;
    }
}
