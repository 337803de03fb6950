package dev.braid.cli;

import dev.braid.training.AparFineTune;
import dev.braid.training.CllmFineTune;
import dev.braid.training.FineTuneRecipe;
import dev.braid.training.Recipe;
import dev.braid.training.Trainer;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * {@code train}: reproduces one of Braid's own models, from scratch (base, draft, tiny) or as a
 * fine-tune of braid-base (cllm, apar).
 */
final class TrainCommand {

    static final String USAGE = "train --recipe base|draft|tiny|cllm|apar [--output DIR] [--work DIR] [--steps N] [--corpus FILE.jsonl] [--resume]"
            + " [--base DIR] [--prompts N]";

    private TrainCommand() {
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        Options options = Options.parse(args, 1, Set.of("recipe", "output", "work", "steps", "base", "prompts", "corpus"), Set.of("resume"));
        if (FineTuneRecipe.isFineTune(options.required("recipe"))) {
            return fineTune(options, out, err);
        }
        Recipe recipe;
        try {
            recipe = Recipe.named(options.required("recipe"));
            if (options.has("steps")) {
                recipe = recipe.withSteps(options.integer("steps", recipe.steps(), 2, 1_000_000));
            }
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        Path output = Path.of(options.string("output", "target/models/" + recipe.name()));
        Path work = Path.of(options.string("work", "target/train/" + recipe.name()));
        Trainer trainer = new Trainer(recipe, output, work, err);
        if (options.has("corpus")) {
            Path corpus = Path.of(options.required("corpus"));
            if (!Files.isRegularFile(corpus)) {
                throw new UsageException("--corpus " + corpus + " does not exist or is not a file");
            }
            trainer.withCorpus(corpus);
        }
        Trainer.Report report = trainer.run(options.has("resume"));
        out.printf("trained %s: %,d parameters, %d steps in %.0f s, held-out loss %.4f (perplexity %.2f), written to %s%n",
                report.recipe(), report.parameters(), report.steps(), report.seconds(), report.heldOutLoss(),
                report.heldOutPerplexity(), output);
        return 0;
    }

    /** The fine-tunes start from braid-base's folder (the repository's copy unless --base names another). */
    private static int fineTune(Options options, PrintStream out, PrintStream err) {
        FineTuneRecipe recipe = FineTuneRecipe.named(options.required("recipe"));
        if (options.has("corpus")) {
            throw new UsageException("--corpus applies to the base and draft recipes; " + recipe.name()
                    + " derives its data from braid-base");
        }
        if (options.has("steps")) {
            recipe = recipe.withSteps(options.integer("steps", recipe.steps(), 2, 1_000_000));
        }
        if (options.has("prompts")) {
            recipe = recipe.withPrompts(options.integer("prompts", recipe.prompts(), 10, 100_000));
        }
        if (options.has("resume")) {
            throw new UsageException("--resume applies to the from-scratch recipes only; a fine-tune reruns in minutes");
        }
        Path base = Path.of(options.string("base", "models/braid-base"));
        Path output = Path.of(options.string("output", "target/models/" + recipe.name()));
        Path work = Path.of(options.string("work", "target/train/" + recipe.name()));
        var report = recipe.name().equals(FineTuneRecipe.CLLM.name())
                ? CllmFineTune.run(recipe, base, output, work, err) : AparFineTune.run(recipe, base, output, err);
        out.printf("trained %s from %s: %d steps, data %.0f s, training %.0f s, held-out loss %.4f -> %.4f, written to %s%n",
                report.recipe(), base, report.steps(), report.dataSeconds(), report.trainSeconds(),
                report.heldOutLossBefore(), report.heldOutLoss(), output);
        return 0;
    }
}
