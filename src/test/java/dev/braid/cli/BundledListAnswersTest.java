package dev.braid.cli;

import ai.djl.Device;
import dev.braid.decoding.DecodingStrategy;
import dev.braid.decoding.GenerationRequest;
import dev.braid.decoding.ResultFuture;
import dev.braid.decoding.SamplingParams;
import dev.braid.decoding.StopCriteria;
import dev.braid.decoding.apar.AparStrategy;
import dev.braid.decoding.ar.AutoregressiveStrategy;
import dev.braid.model.BundledModels;
import dev.braid.model.LoadedModel;
import dev.braid.training.ChatFormat;
import dev.braid.worker.DeviceWorker;
import dev.braid.worker.WorkerSettings;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Greedy list answers of the bundled models never give the same item twice, on list questions about
 * the corpus's topics worded as the corpus never words them.
 */
class BundledListAnswersTest {

    /** One or two questions per topic of the corpus, none in one of its four list wordings. */
    private static final List<String> QUESTIONS = List.of(
            "Name 3 things I can do to speed up a web application.",
            "Which 4 changes speed up a web application the most?",
            "Suggest four ways to make database queries faster.",
            "Tell me 5 ways to make database queries faster.",
            "I want to protect important data. What are 3 things to try?",
            "Point out three ways to protect important data.",
            "Share 4 tips that make a service easier to debug.",
            "My service is hard to debug. Name 3 improvements.",
            "Could you list some ways to write better tests?",
            "Recommend 4 ways to write better tests.",
            "Name 5 ways to run services reliably in containers.",
            "What habits help me work well with git? List 3.",
            "Write a list of 3 ways to work well with git.",
            "Suggest 3 changes that help me sleep better.",
            "Show me 5 ways to sleep better.",
            "Name four ways to save more money.",
            "Give 3 pointers to grow healthy vegetables.",
            "What should I do to learn a language faster? Name 4 things.",
            "Offer 3 suggestions to start running safely.",
            "Tell me some ideas to save more money, numbered.");

    /**
     * {@code lists}: how many of the questions the model must answer with three or more items, so the
     * check cannot pass by answers that stopped being lists. braid-cllm was fine-tuned on the corpus's
     * own questions only and answers many other wordings with prose or garbled text.
     */
    @ParameterizedTest(name = "{0} with {1}")
    @CsvSource({"braid-base, ar, 15", "braid-cllm, ar, 6", "braid-apar, apar, 15"})
    void noAnswerRepeatsAnItem(String name, String strategyName, int lists) throws Exception {
        DecodingStrategy strategy = strategyName.equals("apar") ? new AparStrategy() : new AutoregressiveStrategy();
        try (LoadedModel model = LoadedModel.load(BundledModels.folder(name).orElseThrow(), Device.cpu());
             DeviceWorker worker = new DeviceWorker(name, model.transformer(),
                     new WorkerSettings(1, 16_384, QUESTIONS.size(), QUESTIONS.size(), true, 4096))) {
            StopCriteria stop = new StopCriteria(new HashSet<>(model.generation().eosTokenIds()), List.of(), 320);
            List<ResultFuture> answers = new ArrayList<>();
            for (String question : QUESTIONS) {
                ResultFuture answer = new ResultFuture();
                int[] prompt = model.tokenizer().encode(ChatFormat.prompt(question));
                worker.submit(strategy.newTask(new GenerationRequest(prompt, SamplingParams.GREEDY, stop),
                        model.tokenizer(), answer));
                answers.add(answer);
            }
            SoftAssertions softly = new SoftAssertions();
            List<String> answeredWithAList = new ArrayList<>();
            for (int i = 0; i < QUESTIONS.size(); i++) {
                String text = answers.get(i).get(300, TimeUnit.SECONDS).first().text(model.tokenizer());
                List<String> titles = ListItems.titles(text);
                softly.assertThat(titles).as("%s: %s", QUESTIONS.get(i), text).doesNotHaveDuplicates();
                if (titles.size() >= 3) {
                    answeredWithAList.add(QUESTIONS.get(i));
                }
            }
            // some wordings a model this small does not read as asking for a list (it answers with code
            // or prose)
            softly.assertThat(answeredWithAList).as("questions answered with three or more items")
                    .hasSizeGreaterThanOrEqualTo(lists);
            softly.assertAll();
        }
    }
}
