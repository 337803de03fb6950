package dev.braid.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.braid.model.SafetensorsFile;
import dev.braid.model.SafetensorsWriter;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * AdamW (decoupled weight decay) with its moments held here, so a checkpoint can save and resume
 * them. Updates run outside any gradient collector, where in-place writes to parameters are allowed.
 * Norm weights and biases (1-D tensors) are not decayed.
 */
final class AdamW {

    private static final double BETA1 = 0.9;
    private static final double BETA2 = 0.95;
    private static final double EPSILON = 1e-8;

    private final Map<String, NDArray> params;
    private final Map<String, NDArray> firstMoments = new LinkedHashMap<>();
    private final Map<String, NDArray> secondMoments = new LinkedHashMap<>();
    private final double weightDecay;
    private int updates;

    AdamW(Map<String, NDArray> params, double weightDecay, NDManager manager) {
        this.params = params;
        this.weightDecay = weightDecay;
        params.forEach((name, p) -> {
            firstMoments.put(name, manager.zeros(p.getShape()));
            secondMoments.put(name, manager.zeros(p.getShape()));
        });
    }

    int updates() {
        return updates;
    }

    /** Scales all gradients so their global L2 norm is at most {@code maxNorm}; returns the norm before. */
    double clipGradients(double maxNorm) {
        double sum = 0;
        for (NDArray p : params.values()) {
            sum += p.getGradient().square().sum().getFloat();
        }
        double norm = Math.sqrt(sum);
        if (norm > maxNorm) {
            float scale = (float) (maxNorm / (norm + 1e-6));
            for (NDArray p : params.values()) {
                p.getGradient().muli(scale);
            }
        }
        return norm;
    }

    void step(double learningRate) {
        updates++;
        double correction1 = 1 - Math.pow(BETA1, updates);
        double correction2 = 1 - Math.pow(BETA2, updates);
        for (Map.Entry<String, NDArray> e : params.entrySet()) {
            NDArray p = e.getValue();
            NDArray g = p.getGradient();
            NDArray m = firstMoments.get(e.getKey());
            NDArray v = secondMoments.get(e.getKey());
            m.muli((float) BETA1).addi(g.mul((float) (1 - BETA1)));
            v.muli((float) BETA2).addi(g.square().muli((float) (1 - BETA2)));
            NDArray update = m.div((float) correction1)
                    .div(v.div((float) correction2).sqrt().add((float) EPSILON));
            if (weightDecay > 0 && p.getShape().dimension() > 1) {
                update.addi(p.mul((float) weightDecay));
            }
            p.subi(update.muli((float) learningRate));
        }
    }

    void save(Path file) {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        Map<String, NDArray> arrays = new LinkedHashMap<>();
        firstMoments.forEach((name, m) -> {
            shapes.put("m." + name, m.getShape().getShape());
            arrays.put("m." + name, m);
        });
        secondMoments.forEach((name, v) -> {
            shapes.put("v." + name, v.getShape().getShape());
            arrays.put("v." + name, v);
        });
        SafetensorsWriter.write(file, shapes, (name, shape) -> arrays.get(name).toFloatArray());
    }

    void load(Path file, int restoredUpdates) {
        try (SafetensorsFile saved = SafetensorsFile.open(file)) {
            restore(saved, "m.", firstMoments);
            restore(saved, "v.", secondMoments);
        }
        updates = restoredUpdates;
    }

    private static void restore(SafetensorsFile saved, String prefix, Map<String, NDArray> moments) {
        moments.forEach((name, target) -> {
            target.set(FloatBuffer.wrap(saved.readFloat32(prefix + name)));
        });
    }
}
