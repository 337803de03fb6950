package dev.braid.api;

import dev.braid.decoding.DecodingStrategies;
import dev.braid.decoding.DecodingStrategy;
import java.util.ArrayList;
import java.util.List;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/strategies}: the decoding strategies, those a request may name in {@code strategy}
 * (besides {@code auto}) and those the service runs in their place ({@code requestable} false), and
 * what each needs; the console's strategy menus and filters list them from here, so a strategy added
 * to the engine shows up without a console change.
 */
@RestController
class StrategiesController {

    /**
     * @param requiredCapability the model capability the strategy needs, or null when any model runs it
     */
    record StrategyView(String name, boolean requestable, boolean greedyOnly, boolean lossless, boolean reportsLogprobs,
                        String requiredCapability) {

        static StrategyView of(DecodingStrategy strategy, boolean requestable) {
            return new StrategyView(strategy.name(), requestable, strategy.greedyOnly(), strategy.lossless(),
                    strategy.reportsLogprobs(), strategy.requiredCapability());
        }
    }

    @GetMapping(path = "/api/strategies", produces = MediaType.APPLICATION_JSON_VALUE)
    List<StrategyView> strategies() {
        List<StrategyView> views = new ArrayList<>();
        DecodingStrategies.names().forEach(name -> views.add(StrategyView.of(DecodingStrategies.byName(name).orElseThrow(),
                true)));
        DecodingStrategies.substitutes().forEach(strategy -> views.add(StrategyView.of(strategy, false)));
        return views;
    }
}
