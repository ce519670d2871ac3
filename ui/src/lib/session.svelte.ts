// The signed-in staff member, as the Rust side reported it. Only used to hide what a
// role cannot do; every command is checked again in Rust.
import type { Action } from './bindings/Action';
import type { SessionInfo } from './bindings/SessionInfo';

let current = $state<SessionInfo | null>(null);

export const session = {
  get info(): SessionInfo | null {
    return current;
  },
  set info(value: SessionInfo | null) {
    current = value;
  },
  can(action: Action): boolean {
    return current?.allowed.includes(action) ?? false;
  },
};
