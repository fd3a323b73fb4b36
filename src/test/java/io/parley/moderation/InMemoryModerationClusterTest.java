package io.parley.moderation;

import io.parley.config.Settings;
import io.vertx.core.json.JsonObject;

/** {@link ModerationClusterTest} with {@code STORAGE=memory}: changes and standings in Hazelcast. */
class InMemoryModerationClusterTest extends ModerationClusterTest {

  @Override
  protected JsonObject overrides() {
    return new JsonObject().put(Settings.STORAGE.name(), "memory");
  }
}
