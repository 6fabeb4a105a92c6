import { Injectable } from '@nestjs/common';

/** Set once SIGTERM arrives: from then on readiness answers 503 and every response carries Connection: close. */
@Injectable()
export class ShutdownState {
  private draining = false;

  begin(): void {
    this.draining = true;
  }

  get isDraining(): boolean {
    return this.draining;
  }
}
