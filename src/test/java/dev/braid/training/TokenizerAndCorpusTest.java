package dev.braid.training;

import static org.assertj.core.api.Assertions.assertThat;

import dev.braid.model.ByteLevelTokenizerJson;
import dev.braid.model.TextTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

class TokenizerAndCorpusTest {

    @Test
    void corpusIsDeterministicCoversEveryCategoryAndHoldsOutADisjointSplit() {
        CorpusGenerator.Corpus a = CorpusGenerator.generate(400, 5);
        CorpusGenerator.Corpus b = CorpusGenerator.generate(400, 5);
        assertThat(a.train()).isEqualTo(b.train());
        assertThat(a.heldOut()).hasSize(20);
        Set<CorpusGenerator.Category> seen = new HashSet<>();
        a.train().forEach(e -> seen.add(e.category()));
        assertThat(seen).containsExactlyInAnyOrder(CorpusGenerator.Category.values());
        assertThat(CorpusGenerator.generate(400, 6).train()).isNotEqualTo(a.train());
    }

    @Test
    void listAnswersGiveTheTopicsItemsInItsOrderEachOnce() {
        for (Topic topic : Topics.ALL) {
            List<String> order = topic.tips().stream().map(Topic.Tip::title).toList();
            for (int seed = 0; seed < 40; seed++) {
                CorpusGenerator.Example example = CorpusGenerator.list(topic, new Random(seed));
                List<String> titles = new ArrayList<>();
                for (String line : example.assistant().split("\n")) {
                    if (line.matches("\\d+\\. .*")) {
                        titles.add(line.substring(line.indexOf(' ') + 1, line.indexOf(':')));
                    }
                }
                assertThat(titles).hasSizeBetween(3, 5).doesNotHaveDuplicates();
                int first = order.indexOf(titles.get(0));
                for (int i = 1; i < titles.size(); i++) {
                    assertThat(titles.get(i)).as(example.assistant()).isEqualTo(order.get((first + i) % order.size()));
                }
            }
        }
    }

    @Test
    void learnedBpeLoadsInTheHuggingFaceTokenizerAndRoundTrips(@TempDir Path dir) throws Exception {
        List<String> texts = new ArrayList<>();
        for (CorpusGenerator.Example e : CorpusGenerator.generate(300, 1).train()) {
            texts.add(e.user());
            texts.add(e.assistant());
        }
        BpeTrainer.Vocabulary vocabulary = BpeTrainer.train(texts, 600, ChatFormat.SPECIAL_TOKENS);
        assertThat(vocabulary.size()).isEqualTo(600);
        Files.writeString(dir.resolve("tokenizer.json"), JsonMapper.shared().writeValueAsString(ByteLevelTokenizerJson.build(
                vocabulary.specialTokens(), vocabulary.mergedTokens(), vocabulary.merges())));
        try (TextTokenizer tokenizer = TextTokenizer.load(dir)) {
            String text = "Here are 3 ways to sleep better:\n1. Keep a regular schedule: Go to bed and wake up at the same times.";
            int[] ids = tokenizer.encode(text);
            assertThat(tokenizer.decode(ids)).isEqualTo(text);
            assertThat(ids.length).as("merges compress the text").isLessThan(text.length() / 2);
            int[] chat = tokenizer.encode(ChatFormat.prompt("hi"));
            assertThat(chat[0]).isEqualTo(ChatFormat.SPECIAL_TOKENS.indexOf(ChatFormat.USER));
            assertThat(tokenizer.encode(ChatFormat.FORK + ChatFormat.CHILD)).containsExactly(5, 6);
            assertThat(tokenizer.encode("déjà vu ✓")).isNotEmpty();
            assertThat(tokenizer.decode(tokenizer.encode("déjà vu ✓"))).isEqualTo("déjà vu ✓");
        }
    }
}
