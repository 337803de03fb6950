package dev.braid.training;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import dev.braid.model.LlamaTransformer;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The optimisation loop of a fine-tune: AdamW with warm-up and cosine decay over prepared rows, in
 * seeded epoch order, with held-out evaluation, then a model folder that keeps the base model's
 * tokenizer and configuration. The step and loss are {@link Trainer}'s, so a fine-tune optimises
 * the same objective the base run did, only over different rows.
 */
public final class FineTuner {

    /** What a finished fine-tune reports. */
    public record Report(String recipe, String base, int steps, List<Trainer.Point> curve, double heldOutLossBefore,
                  double heldOutLoss, double dataSeconds, double trainSeconds, int trainRows, Object data) {
    }

    private static final int EVAL_ROWS = 16;

    private final FineTuneRecipe recipe;
    private final PrintStream log;

    FineTuner(FineTuneRecipe recipe, PrintStream log) {
        this.recipe = recipe;
        this.log = log;
    }

    /** Trains {@code model} in place on {@code train}; returns the curve and the held-out losses before and after. */
    Report train(LlamaTransformer model, List<PackedDataset.Row> train, List<PackedDataset.Row> heldOut, String base,
                 double dataSeconds, Object data) {
        long started = System.nanoTime();
        try (NDManager manager = NDManager.newBaseManager(ai.djl.Device.cpu())) {
            model.parameters().values().forEach(p -> p.setRequiresGradient(true));
            AdamW optimizer = new AdamW(model.parameters(), recipe.weightDecay(), manager);
            double before = evaluate(model, heldOut);
            log.printf("%s: %d training rows, %d held-out rows, held-out loss before %.4f%n", recipe.name(), train.size(),
                    heldOut.size(), before);
            List<Trainer.Point> curve = new ArrayList<>();
            double running = Double.NaN;
            for (int step = 1; step <= recipe.steps(); step++) {
                double lr = LearningRateSchedule.at(recipe.learningRate(), recipe.warmupSteps(), recipe.steps(), step);
                double loss = Trainer.trainStep(model, optimizer, batchRows(train, step), lr, recipe.gradientClip());
                running = Trainer.smoothed(running, loss, step, log);
                boolean evaluate = step % recipe.evalEvery() == 0 || step == recipe.steps();
                Double heldOutLoss = evaluate ? evaluate(model, heldOut) : null;
                if (evaluate || step % 10 == 0) {
                    Trainer.Point point = new Trainer.Point(step, running, heldOutLoss, lr, (System.nanoTime() - started) / 1e9);
                    curve.add(point);
                    log.printf("step %d/%d loss %.4f%s lr %.2e %.0fs%n", step, recipe.steps(), running,
                            heldOutLoss == null ? "" : String.format(" held-out %.4f", heldOutLoss), lr, point.seconds());
                }
            }
            double after = curve.get(curve.size() - 1).heldOutLoss();
            return new Report(recipe.name(), base, recipe.steps(), curve, before, after, dataSeconds,
                    (System.nanoTime() - started) / 1e9, train.size(), data);
        }
    }

    /** Writes the fine-tuned weights (float16, see {@link HalfPrecisionWeights}) next to the base model's metadata, the recipe named in config.json. */
    static void write(Path baseFolder, Path output, LlamaTransformer model, Report report) {
        try {
            Files.createDirectories(output);
            for (String file : new String[] {"generation_config.json", "tokenizer.json", "tokenizer_config.json"}) {
                Files.copy(baseFolder.resolve(file), output.resolve(file), StandardCopyOption.REPLACE_EXISTING);
            }
            ObjectNode config = (ObjectNode) JsonMapper.shared().readTree(Files.readString(baseFolder.resolve("config.json")));
            config.put("braid_base_recipe", config.path("braid_recipe").asString());
            config.put("braid_recipe", report.recipe());
            config.put("torch_dtype", "float16");
            Files.write(output.resolve("config.json"), JsonMapper.shared().writerWithDefaultPrettyPrinter().writeValueAsBytes(config));
            Map<String, long[]> shapes = new LinkedHashMap<>();
            Map<String, float[]> values = new LinkedHashMap<>();
            model.huggingFaceTensors().forEach((name, array) -> {
                shapes.put(name, array.getShape().getShape());
                values.put(name, array.toFloatArray());
            });
            HalfPrecisionWeights.write(output, shapes, values);
            Files.writeString(output.resolve("training_report.json"), JsonMapper.builder()
                    .enable(SerializationFeature.INDENT_OUTPUT).build().writeValueAsString(report));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the model to " + output + ": " + e.getMessage(), e);
        }
    }

    private double evaluate(LlamaTransformer model, List<PackedDataset.Row> heldOut) {
        List<PackedDataset.Row> rows = heldOut.subList(0, Math.min(EVAL_ROWS, heldOut.size()));
        double total = 0;
        int batches = 0;
        for (int from = 0; from < rows.size(); from += recipe.batchRows()) {
            try (NDScope ignored = new NDScope();
                 NDManager manager = model.newScratchManager()) {
                total += Trainer.loss(model, PackedDataset.batch(manager,
                        rows.subList(from, Math.min(rows.size(), from + recipe.batchRows())))).getFloat();
                batches++;
            }
        }
        return total / batches;
    }

    /** Rows of step {@code step}: each epoch is a seeded shuffle, so a run is reproducible. */
    private List<PackedDataset.Row> batchRows(List<PackedDataset.Row> data, int step) {
        List<PackedDataset.Row> rows = new ArrayList<>(recipe.batchRows());
        for (long i = (long) (step - 1) * recipe.batchRows(); rows.size() < recipe.batchRows(); i++) {
            long epoch = i / data.size();
            List<Integer> order = new ArrayList<>();
            for (int r = 0; r < data.size(); r++) {
                order.add(r);
            }
            Collections.shuffle(order, new Random(recipe.seed() * 1_000_003L + epoch));
            rows.add(data.get(order.get((int) (i % data.size()))));
        }
        return rows;
    }
}
