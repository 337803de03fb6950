package dev.braid.api;

import dev.braid.common.ServiceException;
import dev.braid.decoding.StrategyParams;
import java.util.Iterator;
import java.util.Map;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads {@code strategy_params}, e.g. {@code {"lookahead": {"window": 8}, "jacobi": {"block_size": 16}}},
 * over the engine's defaults. The shape is the engine's {@link StrategyParams} record (snake_case),
 * so a strategy that adds parameters there is accepted here unchanged; the engine's records check
 * the bounds, and their messages name the parameter.
 */
@Component
class StrategyParamsReader {

    private static final String FIELD = "strategy_params";

    private final JsonMapper mapper;
    private final ObjectNode defaults;

    StrategyParamsReader(JsonMapper mapper) {
        this.mapper = mapper;
        this.defaults = mapper.valueToTree(StrategyParams.DEFAULTS);
    }

    StrategyParams read(JsonNode requested) {
        if (requested == null || requested.isNull()) {
            return StrategyParams.DEFAULTS;
        }
        if (!requested.isObject()) {
            throw ServiceException.invalid(FIELD, "strategy_params must be an object keyed by strategy name, e.g. "
                    + "{\"lookahead\": {\"window\": 8}}");
        }
        ObjectNode merged = defaults.deepCopy();
        for (Map.Entry<String, JsonNode> strategy : requested.properties()) {
            String name = strategy.getKey();
            String field = FIELD + "." + name;
            if (!(merged.get(name) instanceof ObjectNode target)) {
                throw ServiceException.invalid(field, "no parameters for strategy '" + name + "' (strategies with "
                        + "parameters: " + String.join(", ", defaults.propertyNames()) + ")");
            }
            if (!strategy.getValue().isObject()) {
                throw ServiceException.invalid(field, field + " must be an object");
            }
            for (Map.Entry<String, JsonNode> param : strategy.getValue().properties()) {
                JsonNode current = target.get(param.getKey());
                String paramField = field + "." + param.getKey();
                if (current == null) {
                    throw ServiceException.invalid(paramField, "unknown parameter '" + param.getKey() + "' of "
                            + name + " (known: " + String.join(", ", target.propertyNames()) + ")");
                }
                JsonNode value = param.getValue();
                boolean sameKind = current.isBoolean() ? value.isBoolean()
                        : current.isIntegralNumber() ? value.isIntegralNumber() && value.canConvertToInt()
                        : current.isNumber() ? value.isNumber() : value.getNodeType() == current.getNodeType();
                if (!sameKind) {
                    throw ServiceException.invalid(paramField, paramField + " must be "
                            + (current.isBoolean() ? "a boolean" : current.isIntegralNumber() ? "an integer"
                            : current.getNodeType().name().toLowerCase()) + ", got " + value);
                }
                target.set(param.getKey(), value);
            }
        }
        try {
            return mapper.treeToValue(merged, StrategyParams.class);
        } catch (JacksonException e) {
            Throwable cause = e;
            while (cause.getCause() != null) {
                cause = cause.getCause();
            }
            throw ServiceException.invalid(failingField(merged, requested),
                    cause instanceof IllegalArgumentException ? cause.getMessage() : e.getOriginalMessage());
        }
    }

    /**
     * The field to name: the first strategy whose parameters its own record refuses, and within it
     * the first requested parameter it refuses on its own (none where only a combination is refused).
     */
    private String failingField(ObjectNode merged, JsonNode requested) {
        for (Iterator<String> names = merged.propertyNames().iterator(); names.hasNext(); ) {
            String name = names.next();
            if (accepted(name, merged.get(name))) {
                continue;
            }
            for (Map.Entry<String, JsonNode> param : requested.path(name).properties()) {
                ObjectNode alone = ((ObjectNode) defaults.get(name)).deepCopy();
                alone.set(param.getKey(), param.getValue());
                if (!accepted(name, alone)) {
                    return FIELD + "." + name + "." + param.getKey();
                }
            }
            return FIELD + "." + name;
        }
        return FIELD;
    }

    /** Whether {@code name}'s record accepts {@code params} beside the other strategies' defaults. */
    private boolean accepted(String name, JsonNode params) {
        ObjectNode probe = defaults.deepCopy();
        probe.set(name, params);
        try {
            mapper.treeToValue(probe, StrategyParams.class);
            return true;
        } catch (JacksonException e) {
            return false;
        }
    }
}
