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
            a given size.""",
            List.of(Option.required("output", "DIR", "the model folder to write"),
                    Option.valued("params", "25M", "the parameter count, e.g. 800K, 25M or 1.5B").defaults("25M"),
                    Option.valued("seed", "N", "the initialisation's seed").defaults(1)));

    private InitModelCommand() {
    }

    static int run(String[] args, PrintStream out) {
        Options options = Options.parse(args, 1, USAGE);
        Path folder = Path.of(options.required("output"));
        long params = parameterCount(options.string("params"));
        RandomLlamaSpec spec = RandomLlamaSpec.forParameterCount(params);
        ModelInitializer.writeRandomLlama(folder, spec, options.longValue("seed"));
        out.println("wrote " + folder + ": Llama, " + spec.parameterCount() + " parameters " + spec);
        return 0;
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
