# A throwaway RabbitMQ node for tests and benchmarks: `source` it, then amqp_start / amqp_stop.
# Its data, logs and pid file live in a temp directory; it gets its own node name and ports, and
# it is stopped by its own pid (and the epmd it started, if none ran before).
amqp_start() {
  AMQPTMP=$(mktemp -d /tmp/swamqp.XXXXXX)
  AMQP_PORT=${AMQP_PORT:-$((25700 + RANDOM % 500))}
  local node="sw$$-$RANDOM@localhost"
  AMQP_EPMD_BEFORE=$(pgrep -x epmd || true)
  [ "$(id -u)" = "0" ] && chown rabbitmq:rabbitmq "$AMQPTMP" 2>/dev/null
  export RABBITMQ_NODENAME="$node" RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 RABBITMQ_NODE_PORT="$AMQP_PORT" \
    RABBITMQ_DIST_PORT=$((AMQP_PORT + 20000)) RABBITMQ_MNESIA_BASE="$AMQPTMP/mnesia" \
    RABBITMQ_LOG_BASE="$AMQPTMP/log" RABBITMQ_PID_FILE="$AMQPTMP/rabbit.pid" \
    RABBITMQ_ENABLED_PLUGINS_FILE="$AMQPTMP/enabled_plugins" RABBITMQ_CONFIG_FILE="$AMQPTMP/none"
  echo "[]." >"$AMQPTMP/enabled_plugins"
  [ "$(id -u)" = "0" ] && chown rabbitmq:rabbitmq "$AMQPTMP/enabled_plugins" 2>/dev/null
  rabbitmq-server -detached >"$AMQPTMP/start.log" 2>&1
  # await_startup fails until the node is known to epmd: wait for the port first.
  local i
  for i in $(seq 1 300); do
    (exec 3<>"/dev/tcp/127.0.0.1/$AMQP_PORT") 2>/dev/null && break
    sleep 0.1
  done
  rabbitmqctl -n "$node" await_startup >/dev/null 2>&1 || { cat "$AMQPTMP/start.log"; return 1; }
  AMQP_NODE="$node"
  AMQP_PID=$(cat "$AMQPTMP/rabbit.pid" 2>/dev/null || true)
  AMQP_URL="amqp://guest:guest@127.0.0.1:$AMQP_PORT/%2F"
  export AMQPTMP AMQP_PORT AMQP_NODE AMQP_PID AMQP_URL AMQP_EPMD_BEFORE
}
amqp_stop() {
  [ -n "${AMQPTMP:-}" ] || return 0
  rabbitmqctl -n "$AMQP_NODE" stop >/dev/null 2>&1 || { [ -n "${AMQP_PID:-}" ] && kill "$AMQP_PID" 2>/dev/null; }
  local i
  for i in $(seq 1 100); do
    { [ -z "${AMQP_PID:-}" ] || ! kill -0 "$AMQP_PID" 2>/dev/null; } && break
    sleep 0.1
  done
  if [ -z "${AMQP_EPMD_BEFORE:-}" ]; then
    local epmd
    epmd=$(pgrep -x epmd || true)
    [ -n "$epmd" ] && kill $epmd 2>/dev/null
  fi
  rm -rf "$AMQPTMP"
  AMQPTMP=""
}
