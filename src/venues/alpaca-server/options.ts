import type { InstrumentSpec, Money } from '../../model/index.ts';
import type { FeeModel, LimitFillRule, SlippageModel } from '../sim/index.ts';
import type { FaultSettings } from './faults.ts';
import type { ReplayPace } from './market.ts';

/** One API key pair and the account it opens. */
export interface AlpacaVenueKey {
  /** Sent as `APCA-API-KEY-ID`. */
  readonly keyId: string;
  /** Sent as `APCA-API-SECRET-KEY`; never logged, never echoed, never saved in the state file. */
  readonly secret: string;
  /** The account's name (default: the key id). Two keys naming one account share it. */
  readonly account?: string;
  /** Default: the server's `initialCash`. */
  readonly initialCash?: Money;
}

export interface AlpacaVenueServerOptions {
  /** CSV file of bars (any layout `loadMarketData` reads), replayed as the venue's market. */
  readonly dataPath: string;
  readonly keys: readonly AlpacaVenueKey[];
  /**
   * Keel instrument id, or a spec (tick defaults to the file's finest price, lot to 1, or 0.000000001 for
   * crypto: Alpaca's fractional crypto quantities).
   */
  readonly instrument?: string | InstrumentSpec;
  /** Alpaca symbol (default: the instrument id; `BTC/USD` style for crypto). */
  readonly symbol?: string;
  /** Default: crypto when the symbol holds a `/`, else us_equity. */
  readonly assetClass?: 'us_equity' | 'crypto';
  /** Wall ms per bar; 0 = as fast as possible; `manual` = bars move only through `step` (tests). Default 1000. */
  readonly barIntervalMs?: ReplayPace;
  /** Start the replay when the server starts (default true; `manual` never runs by itself). */
  readonly autoStart?: boolean;
  /** Replay bars [0, untilBar) only. */
  readonly untilBar?: number;
  /** Cash of each account at creation (default 100000). */
  readonly initialCash?: Money;
  readonly fees?: FeeModel;
  readonly slippage?: SlippageModel;
  readonly limitFill?: LimitFillRule;
  /** Max share of a bar's volume the account's orders may take (gives true multi-bar partial fills). */
  readonly participationRate?: number;
  /** Allow short sales (default false: a cash account; sells beyond the position get 403). */
  readonly shorting?: boolean;
  /** 0 (default) picks a free port. */
  readonly port?: number;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Seed of every random fault decision and of the ids (default 1). */
  readonly seed?: number;
  readonly faults?: Partial<FaultSettings>;
  /** Keep the venue's state in this file: loaded at start when present, saved as it changes and at close. */
  readonly stateFile?: string;
  /** Serve HTTPS and WSS with this certificate and key (PEM) instead of plain HTTP. */
  readonly tls?: { readonly cert: string; readonly key: string };
  /** When set, /admin routes need `Authorization: Bearer <token>`. */
  readonly adminToken?: string;
  /** One line per request (`POST /v2/orders 200 3ms`); headers and bodies are never logged. */
  readonly log?: (line: string) => void;
  /** Called once the data is used up (the last bar replayed); the CLI says so, since nothing else will. */
  readonly onReplayEnd?: (barsReplayed: number) => void;
}
