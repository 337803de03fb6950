package dev.braid.training;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.training.GradientCollector;
import dev.braid.model.LlamaTransformer;
import dev.braid.model.LoadedModel;
import dev.braid.model.ModelInitializer;
import dev.braid.model.RandomLlamaSpec;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Trains one of Braid's Llama models from scratch on the generated corpus: learns the tokenizer,
 * initialises the weights, then runs AdamW with warm-up and cosine decay, gradient clipping,
 * seeded data order, periodic held-out evaluation and resumable checkpoints. The result is a
 * Hugging Face model folder that the engine loads like any other.
 */
public final class Trainer {

    /** One logged point of the run. */
    public record Point(int step, double trainLoss, Double heldOutLoss, double learningRate, double seconds) {
        public Double heldOutPerplexity() {
            return heldOutLoss == null ? null : Math.exp(heldOutLoss);
        }
    }

    /** What a finished run reports. */
    public record Report(String recipe, long parameters, int steps, List<Point> curve, double heldOutLoss,
                         double seconds, long trainAnswerTokens) {
        public double heldOutPerplexity() {
            return Math.exp(heldOutLoss);
        }
    }

    private static final int EVAL_ROWS = 16;

    private final Recipe recipe;
    private final Path output;
    private final Path work;
    private final PrintStream log;

    private Path corpusFile;

    /** Trains on the JSON-lines corpus at {@code file} instead of the generated one. */
    public Trainer withCorpus(Path file) {
        this.corpusFile = file;
        return this;
    }

    public Trainer(Recipe recipe, Path output, Path work, PrintStream log) {
        this.recipe = recipe;
        this.output = output;
        this.work = work;
        this.log = log;
    }

    public Report run(boolean resume) {
        long started = System.nanoTime();
        CorpusGenerator.Corpus corpus = corpusFile != null ? CorpusFile.read(corpusFile)
                : CorpusGenerator.generate(recipe.corpusExamples(), recipe.seed());
        CheckpointStore checkpoints = new CheckpointStore(work.resolve("checkpoints"));
        Path startFrom = resume ? checkpoints.latest().orElse(null) : null;
        if (startFrom == null) {
            startFrom = initialModel(corpus);
        } else {
            log.println("resuming from " + startFrom);
        }
        int startStep = startFrom.getFileName().toString().startsWith("step-") ? readStep(startFrom) : 0;
        // the initial model and every checkpoint carry the config and tokenizer files the output needs
        Path metadata = startFrom;
        try (LoadedModel model = LoadedModel.load(startFrom, Device.cpu());
             NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            LlamaTransformer transformer = (LlamaTransformer) model.transformer();
            Map<String, NDArray> params = transformer.parameters();
            params.values().forEach(p -> p.setRequiresGradient(true));
            AdamW optimizer = new AdamW(params, recipe.weightDecay(), manager);
            if (startStep > 0) {
                optimizer.load(startFrom.resolve("optimizer.safetensors"), startStep);
            }
            PackedDataset train = PackedDataset.pack(corpus.train(), model.tokenizer(), recipe.sequenceLength());
            PackedDataset heldOut = PackedDataset.pack(corpus.heldOut(), model.tokenizer(), recipe.sequenceLength());
            log.printf("%s: %,d parameters, %d training rows (%,d answer tokens), %d held-out rows%n", recipe.name(),
                    transformer.parameterCount(), train.rows().size(), train.answerTokens(), heldOut.rows().size());
            List<Point> curve = new ArrayList<>(startStep > 0 ? readCurve(startFrom) : List.of());
            // the smoothed loss carries over a resume, so the logged curve is the same as an uninterrupted run's
            double runningLoss = curve.isEmpty() ? Double.NaN : curve.get(curve.size() - 1).trainLoss();
            for (int step = startStep + 1; step <= recipe.steps(); step++) {
                double lr = LearningRateSchedule.at(recipe, step);
                double loss = trainStep(transformer, optimizer, batchRows(train, step), lr, recipe.gradientClip());
                runningLoss = smoothed(runningLoss, loss, step, log);
                boolean evaluate = step % recipe.evalEvery() == 0 || step == recipe.steps();
                Double heldOutLoss = evaluate ? evaluate(transformer, heldOut) : null;
                if (evaluate || step % 10 == 0) {
                    Point point = new Point(step, runningLoss, heldOutLoss, lr, (System.nanoTime() - started) / 1e9);
                    curve.add(point);
                    log.printf("step %d/%d loss %.4f%s lr %.2e %.0fs%n", step, recipe.steps(), runningLoss,
                            heldOutLoss == null ? "" : String.format(" held-out %.4f (ppl %.2f)", heldOutLoss, Math.exp(heldOutLoss)),
                            lr, point.seconds());
                }
                if (step % recipe.checkpointEvery() == 0 && step < recipe.steps()) {
                    int saved = step;
                    checkpoints.save(step, folder -> writeCheckpoint(folder, metadata, transformer, optimizer, saved, curve));
                }
            }
            double finalLoss = evaluate(transformer, heldOut);
            writeModel(output, metadata, transformer);
            Report report = new Report(recipe.name(), transformer.parameterCount(), recipe.steps(), curve, finalLoss,
                    (System.nanoTime() - started) / 1e9, train.answerTokens());
            writeReport(output.resolve("training_report.json"), report);
            return report;
        }
    }

    /** Learns the tokenizer and writes a randomly initialised model in the work folder. */
    private Path initialModel(CorpusGenerator.Corpus corpus) {
        List<String> texts = new ArrayList<>();
        for (CorpusGenerator.Example e : corpus.train()) {
            texts.add(e.user());
            texts.add(e.assistant());
        }
        BpeTrainer.Vocabulary vocabulary = BpeTrainer.train(texts, recipe.vocabSize(), ChatFormat.SPECIAL_TOKENS);
        if (vocabulary.size() != recipe.vocabSize()) {
            throw new IllegalArgumentException("the corpus supports only " + vocabulary.size()
                    + " tokens, fewer than vocab_size " + recipe.vocabSize());
        }
        Path folder = work.resolve("init");
        try {
            CheckpointStore.deleteTree(folder);
            ModelFolderWriter.writeMetadata(folder, recipe, vocabulary);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the initial model to " + folder + ": " + e.getMessage(), e);
        }
        ModelInitializer.writeRandomWeights(folder.resolve("model.safetensors"), new RandomLlamaSpec(recipe.vocabSize(),
                recipe.hiddenSize(), recipe.numLayers(), recipe.numHeads(), recipe.numKvHeads(),
                recipe.intermediateSize(), recipe.maxPositionEmbeddings()), recipe.seed());
        return folder;
    }

    /**
     * One optimiser step on {@code rows}; returns the batch's loss, or NaN when the loss or the
     * gradient was not finite and the update was skipped.
     */
    static double trainStep(LlamaTransformer model, AdamW optimizer, List<PackedDataset.Row> rows, double lr,
                                    double clip) {
        try (NDScope ignored = new NDScope()) {
            NDManager manager = model.newScratchManager();
            try (manager) {
                PackedDataset.Batch batch = PackedDataset.batch(manager, rows);
                double loss;
                try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                    collector.zeroGradients();
                    NDArray value = loss(model, batch);
                    collector.backward(value);
                    loss = value.getFloat();
                }
                double norm = optimizer.clipGradients(clip);
                if (!Double.isFinite(loss) || !Double.isFinite(norm)) {
                    // clipping cannot tame an infinite norm (inf times a zero scale is NaN), and one such
                    // update would make every weight NaN for the rest of the run
                    return Double.NaN;
                }
                optimizer.step(lr);
                return loss;
            }
        }
    }

    /** The logged loss: an exponential moving average that a skipped step leaves as it was. */
    static double smoothed(double running, double loss, int step, PrintStream log) {
        if (Double.isNaN(loss)) {
            log.printf("step %d: the loss or the gradient was not finite, update skipped%n", step);
            return running;
        }
        return Double.isNaN(running) ? loss : 0.9 * running + 0.1 * loss;
    }

    /** Mean cross-entropy over answer tokens. */
    static NDArray loss(LlamaTransformer model, PackedDataset.Batch batch) {
        NDArray logits = model.forwardTraining(batch.tokens(), batch.positions(), batch.bias());
        NDArray picked = logits.logSoftmax(-1).gather(batch.targets(), -1).squeeze(-1);
        return picked.mul(batch.weights()).sum().neg().div(batch.weights().sum().add(1e-6f));
    }

    private double evaluate(LlamaTransformer model, PackedDataset heldOut) {
        List<PackedDataset.Row> rows = heldOut.rows().subList(0, Math.min(EVAL_ROWS, heldOut.rows().size()));
        double total = 0;
        int batches = 0;
        for (int from = 0; from < rows.size(); from += recipe.batchRows()) {
            try (NDScope ignored = new NDScope();
                 NDManager manager = model.newScratchManager()) {
                total += loss(model, PackedDataset.batch(manager, rows.subList(from, Math.min(rows.size(), from + recipe.batchRows()))))
                        .getFloat();
                batches++;
            }
        }
        return total / batches;
    }

    /** Rows of step {@code step}: epochs are seeded shuffles, so a resumed run sees the same order. */
    private List<PackedDataset.Row> batchRows(PackedDataset data, int step) {
        int perEpoch = data.rows().size();
        long first = (long) (step - 1) * recipe.batchRows();
        List<PackedDataset.Row> rows = new ArrayList<>(recipe.batchRows());
        List<Integer> order = null;
        long orderEpoch = -1;
        for (long i = first; i < first + recipe.batchRows(); i++) {
            long epoch = i / perEpoch;
            if (epoch != orderEpoch) {
                order = new ArrayList<>();
                for (int r = 0; r < perEpoch; r++) {
                    order.add(r);
                }
                Collections.shuffle(order, new Random(recipe.seed() * 1_000_003L + epoch));
                orderEpoch = epoch;
            }
            rows.add(data.rows().get(order.get((int) (i % perEpoch))));
        }
        return rows;
    }

    private void writeCheckpoint(Path folder, Path metadata, LlamaTransformer model, AdamW optimizer, int step,
                                 List<Point> curve) throws IOException {
        copyMetadata(metadata, folder);
        ModelFolderWriter.writeWeights(folder, model.huggingFaceTensors());
        optimizer.save(folder.resolve("optimizer.safetensors"));
        ObjectNode state = JsonMapper.shared().createObjectNode();
        state.put("step", step);
        state.put("recipe", recipe.name());
        state.set("curve", JsonMapper.shared().valueToTree(curve));
        Files.writeString(folder.resolve("trainer_state.json"), JsonMapper.shared().writeValueAsString(state));
    }

    private static void writeModel(Path folder, Path metadata, LlamaTransformer model) {
        try {
            Files.createDirectories(folder);
            copyMetadata(metadata, folder);
            ModelFolderWriter.writeWeights(folder, model.huggingFaceTensors());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the model to " + folder + ": " + e.getMessage(), e);
        }
    }

    private static void copyMetadata(Path from, Path to) throws IOException {
        for (String file : new String[] {"config.json", "generation_config.json", "tokenizer.json", "tokenizer_config.json"}) {
            Files.copy(from.resolve(file), to.resolve(file), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static int readStep(Path checkpoint) {
        return readState(checkpoint).get("step").asInt();
    }

    private static List<Point> readCurve(Path checkpoint) {
        List<Point> curve = new ArrayList<>();
        for (JsonNode p : readState(checkpoint).get("curve")) {
            curve.add(new Point(p.get("step").asInt(), p.get("trainLoss").asDouble(),
                    p.get("heldOutLoss").isNull() ? null : p.get("heldOutLoss").asDouble(),
                    p.get("learningRate").asDouble(), p.get("seconds").asDouble()));
        }
        return curve;
    }

    private static JsonNode readState(Path checkpoint) {
        try {
            return JsonMapper.shared().readTree(Files.readString(checkpoint.resolve("trainer_state.json")));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + checkpoint.resolve("trainer_state.json"), e);
        }
    }

    private static void writeReport(Path file, Report report) {
        try {
            Files.writeString(file, JsonMapper.builder().enable(tools.jackson.databind.SerializationFeature.INDENT_OUTPUT)
                    .build().writeValueAsString(report));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
