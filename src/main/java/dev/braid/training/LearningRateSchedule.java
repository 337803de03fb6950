package dev.braid.training;

/** Linear warm-up to the peak rate, then cosine decay to a tenth of it at the last step. */
final class LearningRateSchedule {

    private static final double FLOOR = 0.1;

    private LearningRateSchedule() {
    }

    static double at(Recipe recipe, int step) {
        return at(recipe.learningRate(), recipe.warmupSteps(), recipe.steps(), step);
    }

    static double at(double peak, int warmupSteps, int steps, int step) {
        if (step <= warmupSteps) {
            return peak * step / Math.max(1, warmupSteps);
        }
        double progress = (double) (step - warmupSteps) / Math.max(1, steps - warmupSteps);
        return peak * (FLOOR + (1 - FLOOR) * 0.5 * (1 + Math.cos(Math.PI * Math.min(1, progress))));
    }
}
