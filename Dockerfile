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
WORKDIR /app
COPY --from=build /src/target/parley.jar /app/parley.jar
# HTTP (page, /ws, /eventbus, /health, /ready, /metrics), Hazelcast, clustered event bus, TCP bridge (when enabled)
EXPOSE 8080 5701 5702 7000
HEALTHCHECK --interval=5s --timeout=2s --start-period=20s --retries=3 \
  CMD curl -fsS http://localhost:8080/ready || exit 1
# A node alone keeps its embedded database here: mount a volume on /data to keep it across containers.
ENV DATA_DIR=/data
VOLUME /data
# Exec form: java is PID 1 and gets SIGTERM itself (clients closed with 1012, clean cluster leave).
ENTRYPOINT ["java", "-XX:+ExitOnOutOfMemoryError", "-jar", "/app/parley.jar"]
