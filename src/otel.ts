// `requestforge/otel`: OpenTelemetry spans and metrics from requestforge's diagnostics channels.
export {
  type InstrumentationOptions,
  instrumentRequestforge,
  type RequestforgeInstrumentation,
} from './otel/instrument';
