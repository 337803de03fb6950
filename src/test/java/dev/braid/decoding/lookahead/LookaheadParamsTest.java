package dev.braid.decoding.lookahead;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.braid.decoding.jacobi.JacobiParams;
import org.junit.jupiter.api.Test;

class LookaheadParamsTest {

    @Test
    void outOfRangeParametersAreRefusedByName() {
        assertThatThrownBy(() -> new LookaheadParams(0, 4, 4)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("window");
        assertThatThrownBy(() -> new LookaheadParams(LookaheadParams.MAX_WINDOW + 1, 4, 4))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("window");
        assertThatThrownBy(() -> new LookaheadParams(4, 1, 4)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ngram");
        assertThatThrownBy(() -> new LookaheadParams(4, LookaheadParams.MAX_NGRAM + 1, 4))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ngram");
        assertThatThrownBy(() -> new LookaheadParams(4, 4, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("candidates");
        assertThatThrownBy(() -> new LookaheadParams(4, 4, LookaheadParams.MAX_CANDIDATES + 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("candidates");
        assertThatThrownBy(() -> new JacobiParams(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("block_size");
        assertThatThrownBy(() -> new JacobiParams(JacobiParams.MAX_BLOCK_SIZE + 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("block_size");
        assertThat(new LookaheadParams(1, 2, 1).textNgrams()).isTrue();
    }
}
