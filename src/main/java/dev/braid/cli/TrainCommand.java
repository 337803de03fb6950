package dev.braid.cli;

import dev.braid.training.Recipe;
import dev.braid.training.Trainer;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Set;

/** {@code train}: reproduces one of Braid's own models from scratch. */
final class TrainCommand {

    static final String USAGE = "train --recipe base|draft|tiny [--output DIR] [--work DIR] [--steps N] [--resume]";

    private TrainCommand() {
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        Options options = Options.parse(args, 1, Set.of("recipe", "output", "work", "steps"), Set.of("resume"));
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
        Trainer.Report report = new Trainer(recipe, output, work, err).run(options.has("resume"));
        out.printf("trained %s: %,d parameters, %d steps in %.0f s, held-out loss %.4f (perplexity %.2f), written to %s%n",
                report.recipe(), report.parameters(), report.steps(), report.seconds(), report.heldOutLoss(),
                report.heldOutPerplexity(), output);
        return 0;
    }
}
