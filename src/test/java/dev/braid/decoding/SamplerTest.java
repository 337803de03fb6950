package dev.braid.decoding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.braid.model.Tokenizer;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SamplerTest {

    private static final float[] LOGITS = {(float) Math.log(0.5), (float) Math.log(0.3), (float) Math.log(0.2)};

    @Test
    void temperatureOneKeepsTheModelDistribution() {
        double[] p = new Sampler(new SamplingParams(1, 0, 1, 1L), 1).distribution(LOGITS);
        assertThat(p[0]).isCloseTo(0.5, within(1e-6));
        assertThat(p[1]).isCloseTo(0.3, within(1e-6));
        assertThat(p[2]).isCloseTo(0.2, within(1e-6));
    }

    @Test
    void temperatureSharpensAndFlattens() {
        double[] sharp = new Sampler(new SamplingParams(0.5, 0, 1, 1L), 1).distribution(LOGITS);
        // p_i^2 normalised: 0.25, 0.09, 0.04 over 0.38
        assertThat(sharp[0]).isCloseTo(0.25 / 0.38, within(1e-6));
        assertThat(sharp[2]).isCloseTo(0.04 / 0.38, within(1e-6));
    }

    @Test
    void topKAndTopPCutTheTail() {
        double[] k2 = new Sampler(new SamplingParams(1, 2, 1, 1L), 1).distribution(LOGITS);
        assertThat(k2).containsExactly(new double[] {0.625, 0.375, 0}, within(1e-6));
        double[] p07 = new Sampler(new SamplingParams(1, 0, 0.7, 1L), 1).distribution(LOGITS);
        assertThat(p07).containsExactly(new double[] {0.625, 0.375, 0}, within(1e-6));
        double[] p04 = new Sampler(new SamplingParams(1, 0, 0.4, 1L), 1).distribution(LOGITS);
        assertThat(p04).containsExactly(new double[] {1, 0, 0}, within(1e-6));
    }

    @Test
    void seededDrawsRepeatAndFollowTheDistribution() {
        Sampler a = new Sampler(new SamplingParams(1, 0, 1, 7L), 7);
        Sampler b = new Sampler(new SamplingParams(1, 0, 1, 7L), 7);
        int[] counts = new int[3];
        int draws = 20_000;
        for (int i = 0; i < draws; i++) {
            int x = a.sample(LOGITS);
            assertThat(b.sample(LOGITS)).isEqualTo(x);
            counts[x]++;
        }
        assertThat(counts[0] / (double) draws).isCloseTo(0.5, within(0.015));
        assertThat(counts[1] / (double) draws).isCloseTo(0.3, within(0.015));
        assertThat(counts[2] / (double) draws).isCloseTo(0.2, within(0.015));
    }

    @Test
    void invalidParametersAreRefusedByName() {
        assertThatThrownBy(() -> new SamplingParams(-1, 0, 1, null)).hasMessageContaining("temperature");
        assertThatThrownBy(() -> new SamplingParams(1, -2, 1, null)).hasMessageContaining("top_k");
        assertThatThrownBy(() -> new SamplingParams(1, 0, 0, null)).hasMessageContaining("top_p");
        assertThatThrownBy(() -> new StopCriteria(Set.of(), List.of(), 0)).hasMessageContaining("max new tokens");
    }

    @Test
    void sequencesStopOnEndTokenStopStringOrBudget() {
        Tokenizer letters = new Tokenizer() {
            @Override
            public int[] encode(String text, boolean addSpecialTokens) {
                return text.chars().map(c -> c - 'a').toArray();
            }

            @Override
            public String decode(int[] ids) {
                StringBuilder text = new StringBuilder();
                for (int id : ids) {
                    text.append((char) ('a' + id));
                }
                return text.toString();
            }
        };
        Sequence byToken = sequence(new StopCriteria(Set.of(9), List.of(), 10));
        assertThat(byToken.accept(1, letters)).isTrue();
        assertThat(byToken.accept(9, letters)).isFalse();
        assertThat(byToken.finishReason()).isEqualTo(FinishReason.STOP);

        Sequence byString = sequence(new StopCriteria(Set.of(), List.of("cd"), 10));
        assertThat(byString.accept(2, letters)).isTrue();
        assertThat(byString.accept(3, letters)).isFalse();
        assertThat(byString.stopString()).isEqualTo("cd");
        assertThat(byString.completion().text(letters)).isEmpty();

        Sequence byBudget = sequence(new StopCriteria(Set.of(), List.of(), 2));
        assertThat(byBudget.accept(0, letters)).isTrue();
        assertThat(byBudget.accept(0, letters)).isFalse();
        assertThat(byBudget.finishReason()).isEqualTo(FinishReason.LENGTH);
    }

    private static Sequence sequence(StopCriteria stop) {
        return new Sequence(new int[] {0}, new Sampler(SamplingParams.GREEDY, 0), stop, 100, null);
    }

    @Test
    void nextIsTheArgmaxWhenGreedyAndTheSeededDrawOtherwise() {
        float[] logits = {0.5f, 3f, -1f, 2.9f};
        assertThat(new Sampler(new SamplingParams(0, 0, 1, 7L), 7).next(logits)).isEqualTo(1);
        Sampler drawing = new Sampler(new SamplingParams(1, 0, 1, 7L), 7);
        Sampler twin = new Sampler(new SamplingParams(1, 0, 1, 7L), 7);
        int[] draws = new int[64];
        for (int i = 0; i < draws.length; i++) {
            draws[i] = drawing.next(logits);
            assertThat(draws[i]).isEqualTo(twin.sample(logits));
        }
        // tokens 1 and 3 hold nearly all the mass at temperature 1: both get drawn
        assertThat(draws).contains(1, 3);
    }
}
