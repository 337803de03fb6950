package dev.braid.worker;

import ai.djl.Device;
import dev.braid.model.ModelConfig;
import dev.braid.model.ProductMethod;
import dev.braid.model.WeightDtype;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What a worker measured of its model's steps when it loaded: how products multiply, from which
 * query tokens a step runs on several threads, the step cost curve and what switching between copies
 * of the weights costs. A step's cost depends on the model's shapes, not its weights' values, so a
 * later worker of the same {@link Shape} in this process takes these over instead of timing them
 * again (a model reloaded, a replica, another checkpoint of the same architecture); its real steps
 * refine the curve from then on as any worker's do.
 *
 * @param productMethods  as {@link dev.braid.model.Transformer#productMethods()} lays them out
 * @param parallelFrom    the query tokens from which steps run on several threads
 * @param tokens          the calibrated points' query tokens
 * @param millis          their step times, on the threads each runs on
 * @param oneThreadMillis their step times on one thread
 * @param secondSequence  what a second one-token sequence added to a one-token step, in ms; less the
 *                        token the curve prices, it is what a query length of its own adds to a batch
 * @param contextMillis   what a query token adds per token of cached context
 * @param switchToPacked  what a step on the packed copy of the weights pays after steps on the
 *                        others, in ms ({@link StepCostModel#switchMillis})
 * @param switchFromPacked the same the other way
 */
record Calibration(ProductMethod[][] productMethods, int parallelFrom, int[] tokens, double[] millis,
                   double[] oneThreadMillis, double secondSequence, double contextMillis, double switchToPacked, double switchFromPacked) {

    /** What a calibration depends on besides the host. */
    record Shape(ModelConfig config, WeightDtype dtype, Device device, int threads, int blockSize) {
    }

    private static final Map<Shape, Calibration> MEASURED = new ConcurrentHashMap<>();

    /** Whether any range multiplies packed weights, which a model must then pack. */
    boolean usesPacked() {
        return Arrays.stream(productMethods).flatMap(Arrays::stream).anyMatch(m -> m == ProductMethod.PACKED);
    }

    /** The calibration of an earlier worker of {@code shape} in this process, or null. */
    static Calibration measuredFor(Shape shape) {
        return MEASURED.get(shape);
    }

    static void remember(Shape shape, Calibration calibration) {
        MEASURED.put(shape, calibration);
    }
}
