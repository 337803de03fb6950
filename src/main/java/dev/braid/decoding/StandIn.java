package dev.braid.decoding;

/**
 * What {@code auto} may assume of a strategy before it has been measured on a model and prompt
 * category: whether it should beat {@code ar} here, and why or why not. A strategy that does not pay
 * names the property to blame ({@code capability}, {@code the prompt}, ...) and a detail, so that the
 * selector's reason tells a client what to change.
 *
 * @param pays     whether the strategy is expected to beat {@code ar} on this prompt and model
 * @param property what keeps it from paying (null when it pays)
 * @param detail   why it pays, or why not
 */
public record StandIn(boolean pays, String property, String detail) {

    /** The property name under which a missing model capability is blamed. */
    public static final String CAPABILITY = "capability";

    public static StandIn pays(String why) {
        return new StandIn(true, null, why);
    }

    /** It pays only on a model tuned for {@code capability}; {@code detail} is how the selector renders the lack. */
    public static StandIn untuned(String capability) {
        return new StandIn(false, CAPABILITY, capability);
    }

    public static StandIn notForPrompt(String why) {
        return new StandIn(false, "the prompt", why);
    }

    public static StandIn noRule() {
        return new StandIn(false, "the rules", "auto has no rule for it yet");
    }

    /**
     * What the prompt asks for, as far as the stand-in rules read it.
     *
     * @param list       it asks for a list of items
     * @param multiPart  it asks several questions at once
     */
    public record Prompt(boolean list, boolean multiPart) {
    }
}
