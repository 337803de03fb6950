package dev.braid.cli;

import ai.djl.Device;
import dev.braid.decoding.DecodingStrategy;
import dev.braid.decoding.DecodingStrategies;
import dev.braid.model.BundledModels;
import dev.braid.model.CpuThreads;
import dev.braid.model.DtypeChoice;
import dev.braid.model.LoadedModel;
import dev.braid.worker.WorkerSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** What the engine-running subcommands share: the model, the device and the KV pool size. */
final class EngineOptions {

    /** The model: a folder or a bundled model's name. */
    static final Option MODEL = Option.required("model", "DIR|NAME", "a Hugging Face model folder or a bundled "
            + "model (" + String.join(", ", BundledModels.NAMES) + ")");

    /** Where the engine runs and how large its KV pool is. */
    static final List<Option> OPTIONS = List.of(
            Option.valued("device", "cpu|gpu:N", "the device").defaults("cpu"),
            Option.valued("block-size", "N", "positions per KV block").defaults(WorkerSettings.DEFAULT.blockSize()),
            Option.valued("kv-blocks", "N", "blocks in the KV pool").defaults(WorkerSettings.DEFAULT.numBlocks()),
            Option.valued("cpu-threads", "N", "CPU threads of a parallel step, 0 for all cores")
                    .defaults(CpuThreads.ALL_CORES),
            Option.valued("dtype", "auto|float32|float16|bfloat16", "the precision of the weight matrices; auto: a "
                    + "half-precision checkpoint's own where the device multiplies it natively, else float32")
                    .defaults(DtypeChoice.AUTO.key()),
            Option.valued("prefix-caching", "on|off", "start requests from the longest cached prefix of their prompt")
                    .defaults(WorkerSettings.DEFAULT_PREFIX_CACHING ? "on" : "off"),
            Option.valued("max-step-tokens", "N", "query tokens per step beyond which long prompts are prefilled in "
                    + "chunks; 0: from the measured step cost").defaults(WorkerSettings.MAX_STEP_TOKENS_FROM_CALIBRATION));

    /** The strategies the engine runs, as {@code --strategy} lists them. */
    static String strategies(String separator) {
        return String.join(separator, DecodingStrategies.names());
    }

    private EngineOptions() {
    }

    static LoadedModel loadModel(Options options) {
        return loadModel(options.required("model"), options);
    }

    /** A model folder or a bundled model's name, on the device of {@code --device}. */
    static LoadedModel loadModel(String model, Options options) {
        Path folder = Path.of(model);
        if (!Files.isDirectory(folder)) {
            folder = BundledModels.folder(model).orElseThrow(() -> new UsageException("model '" + model
                    + "' is neither a model folder nor a bundled model (" + String.join(", ", BundledModels.NAMES) + ")"));
        }
        CpuThreads.apply(options.integer("cpu-threads", 0, 1024));
        return LoadedModel.load(folder, device(options), dtype(options));
    }

    static DtypeChoice dtype(Options options) {
        try {
            return DtypeChoice.parse(options.string("dtype"));
        } catch (IllegalArgumentException e) {
            throw new UsageException("--dtype: " + e.getMessage());
        }
    }

    static Device device(Options options) {
        String name = options.string("device");
        try {
            return Device.fromName(name);
        } catch (RuntimeException e) {
            throw new UsageException("--device '" + name + "' is not a device (cpu, gpu, gpu:1, ...)");
        }
    }

    static WorkerSettings workerSettings(Options options, int maxBatchTasks) {
        List<Boolean> caching = prefixCaching(options);
        if (caching.size() > 1) {
            throw new UsageException("--prefix-caching takes one value here: on or off");
        }
        return workerSettings(options, maxBatchTasks, caching.get(0), options.integer("max-step-tokens", 0, 1 << 20));
    }

    static WorkerSettings workerSettings(Options options, int maxBatchTasks, boolean prefixCaching, int maxStepTokens) {
        return new WorkerSettings(
                options.integer("block-size", 1, 1024),
                options.integer("kv-blocks", 1, 1 << 22),
                Math.max(maxBatchTasks, 1),
                WorkerSettings.DEFAULT.maxWaitingTasks(),
                prefixCaching,
                maxStepTokens);
    }

    /** {@code --prefix-caching}: on, off, or both in the order given (bench compares them). */
    static List<Boolean> prefixCaching(Options options) {
        List<Boolean> values = new java.util.ArrayList<>();
        for (String value : options.string("prefix-caching").split(",")) {
            boolean on = switch (value.trim()) {
                case "on" -> true;
                case "off" -> false;
                default -> throw new UsageException("--prefix-caching must be on or off, got '" + value.trim() + "'");
            };
            if (values.contains(on)) {
                throw new UsageException("--prefix-caching names " + value.trim() + " twice");
            }
            values.add(on);
        }
        return values;
    }

    static DecodingStrategy strategy(String name) {
        return DecodingStrategies.byName(name).orElseThrow(() -> new UsageException(
                "--strategy '" + name + "' is not available (available: " + String.join(", ", DecodingStrategies.names()) + ")"));
    }
}
