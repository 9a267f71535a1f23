"""`manage.py demo_sensors --every 30`: publish synthetic water levels of the demo stations
(demo/sensors.py) to the MQTT broker (IOC_MQTT_URL) until stopped, so the demo's sensor stream
shows life. Every payload says `"synthetic": true`. Without a broker it logs and keeps trying."""
import logging
import random
import signal
import threading

import paho.mqtt.client as mqtt
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from demo.sensors import TOPIC_PREFIX, messages_at
from observations.errors import BrokerNotConfigured
from observations.subscriber import broker_from_url

logger = logging.getLogger("demo.sensors")


class Command(BaseCommand):
    help = "Gửi số liệu mực nước mô phỏng của các trạm demo lên MQTT (dữ liệu mô phỏng)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--every", type=float, default=30.0, help="seconds between beats")
        parser.add_argument("--beats", type=int, default=0, help="stop after N beats (0: never)")
        parser.add_argument("--seed", type=int, default=None)
        parser.add_argument("--url", default=None, help="broker URL (default: IOC_MQTT_URL)")
        parser.add_argument("--topic-prefix", default=TOPIC_PREFIX,
                            help=f"topics are <prefix>/<station>/muc-nuoc (default {TOPIC_PREFIX})")

    def handle(self, *args, every: float, beats: int, seed: int | None, url: str | None,
               topic_prefix: str, **options) -> None:
        if every < 1:
            raise CommandError("--every must be at least 1 second")
        try:
            broker = broker_from_url(url)
        except BrokerNotConfigured as exc:
            raise CommandError(exc.message) from exc
        stop = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
        client = mqtt.Client(callback_api_version=mqtt.CallbackAPIVersion.VERSION2,
                             protocol=mqtt.MQTTv311)
        if broker.username:
            client.username_pw_set(broker.username, broker.password or None)
        if broker.tls:
            client.tls_set()
        client.max_queued_messages_set(1000)  # while the broker is away, keep the last few
        client.reconnect_delay_set(1, 60)
        connected = threading.Event()
        client.on_connect = lambda *_: connected.set()
        client.on_disconnect = lambda *_: connected.clear()
        client.on_connect_fail = lambda *_: logger.warning("cannot reach %s; retrying", broker)
        client.connect_async(broker.host, broker.port, keepalive=30)
        client.loop_start()
        rng, done = random.Random(seed), 0
        try:
            while not stop.is_set() and (not beats or done < beats):
                if not connected.wait(timeout=every):
                    logger.warning("no connection to %s: beat skipped", broker)
                    continue
                infos = [client.publish(topic, payload, qos=1)
                         for topic, payload in messages_at(timezone.now(), rng, topic_prefix)]
                done += 1
                self.stdout.write(f"beat {done}: {len(infos)} synthetic readings queued")
                if beats and done >= beats:
                    for info in infos:  # the last beat is sent before we leave
                        try:
                            info.wait_for_publish(timeout=10)
                        except (ValueError, RuntimeError) as exc:
                            logger.warning("a reading was not sent: %s", exc)
                    break
                stop.wait(every)
        finally:
            client.disconnect()
            client.loop_stop()
