"""`manage.py mqtt_subscribe [--once-for SECONDS]`: the sensor streams' MQTT subscriber
(observations/subscriber.py) until SIGTERM / Ctrl-C, or for SECONDS. Without a reachable broker
it logs and keeps retrying; it never needs the web servers."""
import logging
import signal
import threading

from django.core.management.base import BaseCommand, CommandError, CommandParser

from observations.errors import BrokerNotConfigured
from observations.subscriber import Subscriber, broker_from_url

logger = logging.getLogger("observations.mqtt")


class Command(BaseCommand):
    help = ("Nhận dữ liệu cảm biến qua MQTT (mọi luồng đang dùng) và ghi thành các quan trắc "
            "có thời điểm.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once-for", type=float, default=None, metavar="SECONDS",
                            help="stop after this many seconds (writes what it received)")
        parser.add_argument("--url", default=None,
                            help="broker URL (default: IOC_MQTT_URL), mqtt://host:1883")
        parser.add_argument("--client-id", default="",
                            help="a fixed client id keeps a persistent session at the broker "
                                 "(default: IOC_MQTT_CLIENT_ID, else a fresh one)")

    def handle(self, *args, once_for: float | None, url: str | None, client_id: str,
               **options) -> None:
        if once_for is not None and once_for <= 0:
            raise CommandError("--once-for must be positive")
        try:
            broker = broker_from_url(url)
        except BrokerNotConfigured as exc:
            raise CommandError(exc.message) from exc
        stop = threading.Event()

        def request_stop(signum, frame) -> None:
            logger.info("signal %s: stopping after the current batch", signum)
            stop.set()

        signal.signal(signal.SIGTERM, request_stop)
        signal.signal(signal.SIGINT, request_stop)
        logger.info("MQTT subscriber for %s", broker)
        totals = Subscriber(broker, client_id=client_id).run(stop=stop, seconds=once_for)
        self.stdout.write(
            f"stopped: {totals.messages} messages in {totals.batches} batches, "
            f"{totals.accepted} accepted, {totals.rejected} rejected, {totals.unrouted} unrouted; "
            f"observations inserted {totals.inserted}, updated {totals.updated}")
