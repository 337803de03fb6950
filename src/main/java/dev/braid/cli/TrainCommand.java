package dev.braid.cli;

import dev.braid.training.AparFineTune;
import dev.braid.training.CllmFineTune;
import dev.braid.training.FineTuneRecipe;
import dev.braid.training.Recipe;
import dev.braid.training.Trainer;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code train}: reproduces one of Braid's own models, from scratch or as a fine-tune of braid-base.
 */
final class TrainCommand {

    static final Usage USAGE = new Usage("train", """
            Reproduces one of Braid's own models: from scratch (%s; tiny is a few-second run that checks the
            trainer end to end) or as a fine-tune of braid-base (%s).""".formatted(
                    String.join(", ", Recipe.NAMES), String.join(", ", FineTuneRecipe.NAMES)),
            List.of(Option.required("recipe", String.join("|", recipes()), "the model to train"),
                    Option.valued("output", "DIR", "the model folder to write (default target/models/NAME)"),
                    Option.valued("work", "DIR", "checkpoints and collected data (default target/train/NAME)"),
                    Option.valued("steps", "N", "optimiser steps instead of the recipe's"),
                    Option.valued("corpus", "FILE.jsonl", "from scratch: train on these {\"user\", \"assistant\"} "
                            + "examples instead of the generated corpus"),
                    Option.flag("resume", "from scratch: continue from the latest checkpoint in --work"),
                    Option.valued("base", "DIR", "fine-tunes: the braid-base folder to start from (default models/braid-base)"),
                    Option.valued("prompts", "N", "fine-tunes: how many corpus questions to use")));

    private static List<String> recipes() {
        List<String> all = new ArrayList<>(Recipe.NAMES);
        all.addAll(FineTuneRecipe.NAMES);
        return all;
    }

    private TrainCommand() {
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        Options options = Options.parse(args, 1, USAGE);
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
