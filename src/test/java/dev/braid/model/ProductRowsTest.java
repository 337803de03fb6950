package dev.braid.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProductRowsTest {

    @Test
    void everyRowCountFallsInOneRangeAndPrefillsInTheLast() {
        assertThat(ProductRows.of(0)).isNull();
        assertThat(ProductRows.of(1)).isEqualTo(ProductRows.ONE);
        assertThat(ProductRows.of(3)).isEqualTo(ProductRows.FEW);
        assertThat(ProductRows.of(4)).isEqualTo(ProductRows.SEVERAL);
        assertThat(ProductRows.of(8)).isEqualTo(ProductRows.SEVERAL);
        assertThat(ProductRows.of(9)).isEqualTo(ProductRows.MANY);
        assertThat(ProductRows.of(2048)).isEqualTo(ProductRows.MANY);
    }

    @Test
    void theOpenEndedRangeIsTimedAtThirtyTwoRows() {
        assertThat(ProductRows.MANY.openEnded()).isTrue();
        assertThat(ProductRows.MANY.largestTimed()).isEqualTo(32);
        assertThat(ProductRows.SEVERAL.openEnded()).isFalse();
        assertThat(ProductRows.SEVERAL.largestTimed()).isEqualTo(8);
        assertThat(ProductRows.ONE.largestTimed()).isEqualTo(1);
    }

    @Test
    void eachRangeIsTimedAtItsLeastAndLargestTimedRowsAndNamedAsTheWorkerLogsIt() {
        assertThat(ProductRows.ONE.timedRows()).containsExactly(1);
        assertThat(ProductRows.FEW.timedRows()).containsExactly(2, 3);
        assertThat(ProductRows.MANY.timedRows()).containsExactly(9, 32);
        assertThat(ProductRows.ONE.describe()).isEqualTo("1");
        assertThat(ProductRows.SEVERAL.describe()).isEqualTo("4 to 8");
        assertThat(ProductRows.MANY.describe()).isEqualTo("9+");
    }
}
