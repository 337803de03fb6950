package dev.braid.training;

import ai.djl.Device;
import dev.braid.model.LlamaTransformer;
import dev.braid.model.LoadedModel;
import dev.braid.model.TextTokenizer;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;

/**
 * {@code train --recipe apar}: braid-base fine-tuned to fork (ALGORITHMS.md section 3). The
 * corpus's list answers become APAR trees ({@link AparTree}, {@link AparExamples}) and are mixed
 * about one to one, by answer, with the corpus's other examples, which keep the model's
 * non-forking answers as they were.
 */
public final class AparFineTune {

    private static final int CORPUS_EXAMPLES = 12_000;
    private static final int CORPUS_SEED = 7;

    private AparFineTune() {
    }

    public record DataStats(int trees, int plainExamples, int sequences) {
    }

    public static FineTuner.Report run(FineTuneRecipe recipe, Path baseFolder, Path output, PrintStream log) {
        long started = System.nanoTime();
        CorpusGenerator.Corpus corpus = CorpusGenerator.generate(CORPUS_EXAMPLES, CORPUS_SEED);
        try (LoadedModel model = LoadedModel.load(baseFolder, Device.cpu())) {
            LlamaTransformer transformer = (LlamaTransformer) model.transformer();
            List<SupervisedSequence> train = sequences(corpus.train(), recipe.prompts(), model.tokenizer(), recipe.seed());
            List<SupervisedSequence> heldOut = sequences(corpus.heldOut(), 24, model.tokenizer(), recipe.seed());
            DataStats stats = new DataStats(recipe.prompts(), recipe.prompts(), train.size());
            double dataSeconds = (System.nanoTime() - started) / 1e9;
            FineTuner.Report report = new FineTuner(recipe, log).train(transformer,
                    SequencePacker.pack(train, recipe.sequenceLength()), SequencePacker.pack(heldOut, recipe.sequenceLength()),
                    baseFolder.toString(), dataSeconds, stats);
            FineTuner.write(baseFolder, output, transformer, report);
            return report;
        }
    }

    /** {@code trees} list answers as trees and as many other examples, shuffled together. */
    static List<SupervisedSequence> sequences(List<CorpusGenerator.Example> examples, int trees, TextTokenizer tokenizer,
                                              long seed) {
        List<List<SupervisedSequence>> groups = new ArrayList<>();
        int forked = 0;
        int plain = 0;
        for (CorpusGenerator.Example example : examples) {
            Optional<AparTree> tree = example.category() == CorpusGenerator.Category.LIST
                    ? AparTree.of(example.assistant()) : Optional.empty();
            if (tree.isPresent() && forked < trees) {
                groups.add(AparExamples.sequences(example.user(), tree.get(), tokenizer));
                forked++;
            } else if (tree.isEmpty() && example.category() != CorpusGenerator.Category.LIST && plain < trees) {
                int[] prompt = tokenizer.encode(ChatFormat.prompt(example.user()));
                int[] all = tokenizer.encode(ChatFormat.conversation(example.user(), example.assistant()));
                groups.add(List.of(SupervisedSequence.shifted(all, prompt.length, 1f)));
                plain++;
            }
            if (forked == trees && plain == trees) {
                break;
            }
        }
        // a tree's sequences stay together only until the shuffle: rows then mix trees and plain answers
        List<SupervisedSequence> out = new ArrayList<>();
        groups.forEach(out::addAll);
        Collections.shuffle(out, new Random(seed));
        return out;
    }
}
