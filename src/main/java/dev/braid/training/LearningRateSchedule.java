package dev.braid.training;

/** Linear warm-up to the peak rate, then cosine decay to a tenth of it at the last step. */
final class LearningRateSchedule {

    private static final double FLOOR = 0.1;

    private LearningRateSchedule() {
    }

    static double at(Recipe recipe, int step) {
        double peak = recipe.learningRate();
        if (step <= recipe.warmupSteps()) {
            return peak * step / Math.max(1, recipe.warmupSteps());
        }
        double progress = (double) (step - recipe.warmupSteps()) / Math.max(1, recipe.steps() - recipe.warmupSteps());
        return peak * (FLOOR + (1 - FLOOR) * 0.5 * (1 + Math.cos(Math.PI * Math.min(1, progress))));
    }
}
