# Multi-stage build: Maven builds the fat jar, a JRE runs it.
FROM maven:3.9-eclipse-temurin-17 AS build
# npm: the build takes the web page's libraries from the npm registry (src/main/frontend).
RUN apt-get update && apt-get install -y --no-install-recommends nodejs npm && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY pom.xml .
RUN mvn -B -q dependency:go-offline
COPY conf conf
COPY webroot webroot
COPY src src
RUN mvn -B -q -DskipTests package

FROM eclipse-temurin:17-jre
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
# Not root: a fixed uid and gid (10001), so that a volume's owner or a runAsUser can name it. It owns only what it
# writes: the data directory. The jar stays root's, read-only to it.
RUN groupadd --system --gid 10001 parley \
  && useradd --system --uid 10001 --gid parley --home-dir /app --no-create-home --shell /usr/sbin/nologin parley
WORKDIR /app
COPY --from=build /src/target/parley.jar /app/parley.jar
# HTTP (page, /ws, /eventbus, /health, /ready, /metrics unless METRICS_PORT), Hazelcast, clustered event bus, TCP
# bridge (when enabled), metrics (when METRICS_PORT=9100, as compose sets)
EXPOSE 8080 5701 5702 7000 9100
HEALTHCHECK --interval=5s --timeout=2s --start-period=20s --retries=3 \
  CMD curl -fsS http://localhost:8080/ready || exit 1
# A node alone keeps its embedded database here: mount a volume on /data to keep it across containers. Owned
# before VOLUME, so that a new volume starts out owned by the parley user too.
ENV DATA_DIR=/data
RUN mkdir -p /data && chown parley:parley /data && chmod 0750 /data
VOLUME /data
USER 10001:10001
# Exec form: java is PID 1 and gets SIGTERM itself (clients closed with 1012, clean cluster leave).
# The native heap trimmed every 5 s: memory freed to malloc goes back to the system (scenario c: about 500 B
# less RSS per connection over the first 15,000, docs/BENCHMARKS.md "JVM options").
ENTRYPOINT ["java", "-XX:+ExitOnOutOfMemoryError", "-XX:TrimNativeHeapInterval=5000", "-jar", "/app/parley.jar"]
