import { createNoopMeter, type Meter, type MeterProvider, metrics } from '@opentelemetry/api';
import { VERSION } from 'requestforge';
import { createInstruments, type Instruments } from './instruments';

/** The class of the API's no-op meter (the global meter without an SDK). */
const NOOP_METER = createNoopMeter().constructor;

/** Whether metrics from this meter go anywhere. */
function metering(meter: Meter): boolean {
  return !(meter instanceof NOOP_METER);
}

type Writable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * The meter the instruments come from. The OpenTelemetry metrics API has no late binding: a
 * meter taken from the global provider before an SDK registers one stays a no-op for good. So
 * while the global meter is the no-op one, {@link bind} asks again (once per call), and once a
 * provider is registered the instruments are made anew from it, in place: whoever holds
 * `instruments` records to the new meter from then on.
 */
export class MeterBinding {
  /** Stable object; its instruments are replaced when a global meter provider binds late. */
  readonly instruments: Instruments;
  #metered: boolean;
  /** No provider given and none registered yet: the global one may come later. */
  #late: boolean;

  constructor(provider: MeterProvider | undefined) {
    const meter = (provider ?? metrics).getMeter('requestforge', VERSION);
    this.instruments = createInstruments(meter);
    this.#metered = metering(meter);
    this.#late = provider === undefined && !this.#metered;
  }

  /** Whether metrics go anywhere now. */
  get metered(): boolean {
    return this.#metered;
  }

  /** Binds to a global meter provider registered since; true when metrics go anywhere now. */
  bind(): boolean {
    if (!this.#late) return this.#metered;
    const meter = metrics.getMeter('requestforge', VERSION);
    if (!metering(meter)) return false;
    Object.assign(this.instruments as Writable<Instruments>, createInstruments(meter));
    this.#late = false;
    this.#metered = true;
    return true;
  }
}
