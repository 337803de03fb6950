package dev.braid.decoding.lookahead;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LookaheadWindowTest {

    @Test
    void columnsWarmUpForNMinusTwoStepsThenYieldAnNgramPerStep() {
        int[] prompt = {40, 41, 42};
        LookaheadWindow window = new LookaheadWindow(2, 4, prompt, new SplittableRandom(1));
        assertThat(window.width()).isEqualTo(2);
        assertThat(window.filled(1)).isEqualTo(1);
        assertThat(window.token(1, 0)).as("level 0 comes from the prompt").isIn(40, 41, 42);
        int level0 = window.token(1, 0);

        assertThat(window.advance(1, 9, 100)).isNull();
        assertThat(window.advance(1, 9, 101)).isNull();
        assertThat(window.filled(1)).isEqualTo(3);
        assertThat(window.advance(1, 9, 102)).containsExactly(level0, 100, 101, 102);
        // the oldest level dropped: the column now reads 100, 101, 102
        assertThat(window.token(1, 0)).isEqualTo(100);
        assertThat(window.advance(1, 9, 103)).containsExactly(100, 101, 102, 103);
    }

    @Test
    void columnZeroStartsItsNgramsWithTheCurrentToken() {
        LookaheadWindow window = new LookaheadWindow(1, 3, new int[] {5}, new SplittableRandom(2));
        assertThat(window.advance(0, 7, 20)).isNull();
        assertThat(window.advance(0, 8, 21)).containsExactly(8, 20, 21);
    }

    @Test
    void bigramWindowsNeedNoWarmUp() {
        LookaheadWindow window = new LookaheadWindow(3, 2, new int[] {5}, new SplittableRandom(3));
        assertThat(window.advance(2, 7, 30)).containsExactly(5, 30);
        assertThat(window.advance(2, 7, 31)).containsExactly(30, 31);
    }
}
