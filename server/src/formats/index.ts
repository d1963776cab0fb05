// Every format adapter, in detection order (most specific first).
import type { FormatAdapter } from './adapter';
import { nativeAdapter } from './native';
import { vllmConfigAdapter } from './vllmConfig';

export const ADAPTERS: FormatAdapter[] = [nativeAdapter, vllmConfigAdapter];
