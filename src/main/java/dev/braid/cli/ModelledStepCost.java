package dev.braid.cli;

import dev.braid.decoding.StepCost;

/**
 * A device modelled instead of measured: a step of one query token costs {@code baseMillis}, and each
 * token more {@code perTokenMillis}. Priced by it, a bench run's guesses follow from the model and the
 * prompts alone, and its time is read off the steps it ran: two controllers compare on the same
 * device whatever the host is doing meanwhile.
 */
record ModelledStepCost(double baseMillis, double perTokenMillis) implements StepCost {

    static final String OPTION = "modelled-step-cost";

    ModelledStepCost {
        if (!(baseMillis > 0) || !(perTokenMillis >= 0) || Double.isInfinite(baseMillis)
                || Double.isInfinite(perTokenMillis)) {
            throw new UsageException("--" + OPTION + " needs a step's milliseconds above 0 and the milliseconds"
                    + " of each further token at 0 or above, got " + baseMillis + "," + perTokenMillis);
        }
    }

    /** {@code MS,MS_PER_TOKEN}, as the option is given. */
    static ModelledStepCost parse(String value) {
        String[] parts = value.split(",", -1);
        if (parts.length != 2) {
            throw new UsageException("--" + OPTION + " takes MS,MS_PER_TOKEN (e.g. 2.2,0.22), got '" + value + "'");
        }
        try {
            return new ModelledStepCost(Double.parseDouble(parts[0].trim()), Double.parseDouble(parts[1].trim()));
        } catch (NumberFormatException e) {
            throw new UsageException("--" + OPTION + " takes two numbers, MS,MS_PER_TOKEN, got '" + value + "'");
        }
    }

    @Override
    public double millis(int tokens) {
        return baseMillis + perTokenMillis * (Math.max(1, tokens) - 1);
    }

    /** What {@code steps} steps that carried {@code tokens} query tokens in all take on this device. */
    double millis(long steps, long tokens) {
        return steps * baseMillis + perTokenMillis * Math.max(0, tokens - steps);
    }
}
