package dev.braid.cli;

import dev.braid.model.ModelInitializer;
import dev.braid.model.RandomLlamaSpec;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** {@code init-model}: a random-initialised Llama checkpoint in Hugging Face format, for benchmarks. */
final class InitModelCommand {

    static final Usage USAGE = new Usage("init-model", """
            Writes a random-initialised Llama checkpoint with a byte-level tokenizer, to benchmark a model of
            a given size, or of a given shape with --layers and --hidden (e.g. a real model's: --layers 30
            --hidden 576 --heads 9 --kv-heads 3 --intermediate 1536 --vocab 49152).""",
            List.of(Option.required("output", "DIR", "the model folder to write"),
                    Option.valued("params", "25M", "the parameter count, e.g. 800K, 25M or 1.5B").defaults("25M"),
                    Option.valued("layers", "N", "a shape instead of --params: the layers"),
                    Option.valued("hidden", "N", "the hidden size (with --layers)"),
                    Option.valued("heads", "N", "attention heads (default: hidden / 64)"),
                    Option.valued("kv-heads", "N", "K/V heads (default: as many as heads)"),
                    Option.valued("intermediate", "N", "the MLP's width (default: 8/3 of hidden)"),
                    Option.valued("vocab", "N", "the vocabulary (default " + RandomLlamaSpec.DEFAULT_VOCAB + ")"),
                    Option.valued("seed", "N", "the initialisation's seed").defaults(1)));

    private static final List<String> SHAPE = List.of("layers", "hidden", "heads", "kv-heads", "intermediate", "vocab");

    private InitModelCommand() {
    }

    static int run(String[] args, PrintStream out) {
        Options options = Options.parse(args, 1, USAGE);
        Path folder = Path.of(options.required("output"));
        RandomLlamaSpec spec = SHAPE.stream().anyMatch(options::has)
                ? shape(options) : RandomLlamaSpec.forParameterCount(parameterCount(options.string("params")));
        ModelInitializer.writeRandomLlama(folder, spec, options.longValue("seed"));
        out.println("wrote " + folder + ": Llama, " + spec.parameterCount() + " parameters " + spec);
        return 0;
    }

    private static RandomLlamaSpec shape(Options options) {
        if (!options.has("layers") || !options.has("hidden")) {
            throw new UsageException("a shape needs --layers and --hidden (the other shape options default from them)");
        }
        if (options.has("params")) {
            throw new UsageException("--params and a shape (--layers, --hidden, ...) exclude each other");
        }
        int hidden = options.integer("hidden", 0, 8, 65536);
        int heads = options.integer("heads", Math.max(1, hidden / 64), 1, 1024);
        try {
            return new RandomLlamaSpec(
                    options.integer("vocab", RandomLlamaSpec.DEFAULT_VOCAB, 1, 1 << 20),
                    hidden,
                    options.integer("layers", 0, 1, 1024),
                    heads,
                    options.integer("kv-heads", heads, 1, 1024),
                    options.integer("intermediate", (8 * hidden / 3 + 31) / 32 * 32, 1, 1 << 20),
                    RandomLlamaSpec.DEFAULT_MAX_POSITIONS);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    /** {@code 25M}, {@code 1.5B}, {@code 800K} or a plain number. */
    static long parameterCount(String text) {
        String value = text.trim().toUpperCase(Locale.ROOT);
        double scale = 1;
        if (value.endsWith("K")) {
            scale = 1e3;
        } else if (value.endsWith("M")) {
            scale = 1e6;
        } else if (value.endsWith("B")) {
            scale = 1e9;
        }
        String number = scale == 1 ? value : value.substring(0, value.length() - 1);
        try {
            double parsed = Double.parseDouble(number) * scale;
            if (parsed < 10_000 || parsed > 2e9) {
                throw new UsageException("--params must be between 10K and 2B, got " + text);
            }
            return (long) parsed;
        } catch (NumberFormatException e) {
            throw new UsageException("--params must look like 25M, 800K or 1.5B, got '" + text + "'");
        }
    }
}
