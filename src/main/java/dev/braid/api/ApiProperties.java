package dev.braid.api;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * {@code braid.api.*}: limits of the HTTP surface.
 *
 * @param maxBodySize the largest request body read on any endpoint; a larger one is answered 413
 *                    before it is read (by its Content-Length) or as soon as it passes the limit
 */
@ConfigurationProperties("braid.api")
public record ApiProperties(@DefaultValue("256KB") DataSize maxBodySize) {
}
