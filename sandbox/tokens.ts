/** Access/refresh token pairs. Refresh tokens are single-use and rotate. */
import { randomBytes } from 'node:crypto';

import type { RuntimeConfig } from './options';

export interface TokenPair {
	/** Short non-secret id for logs, e.g. `t3`. */
	id: string;
	accountId: number;
	accessToken: string;
	refreshToken: string;
	issuedAt: number;
	accessExpiresAt: number;
	refreshExpiresAt: number;
	accessRevoked: boolean;
	/** Used (rotated), revoked or expired by the control surface. */
	refreshDead: boolean;
}

export interface ExpireSelection {
	access?: boolean;
	refresh?: boolean;
	accountId?: number;
}

const opaqueToken = (): string => randomBytes(30).toString('base64url');

export class TokenStore {
	private readonly byAccess = new Map<string, TokenPair>();
	private readonly byRefresh = new Map<string, TokenPair>();
	private nextId = 1;

	issue(accountId: number, config: RuntimeConfig): TokenPair {
		const now = Date.now();
		const pair: TokenPair = {
			id: `t${this.nextId++}`,
			accountId,
			accessToken: opaqueToken(),
			refreshToken: opaqueToken(),
			issuedAt: now,
			accessExpiresAt: now + config.accessTokenTtlSeconds * 1000,
			refreshExpiresAt: now + config.refreshTokenTtlSeconds * 1000,
			accessRevoked: false,
			refreshDead: false,
		};
		this.byAccess.set(pair.accessToken, pair);
		this.byRefresh.set(pair.refreshToken, pair);
		return pair;
	}

	/** The pair of a live access token. */
	authenticate(accessToken: string): TokenPair | undefined {
		const pair = this.byAccess.get(accessToken);
		return pair && !pair.accessRevoked && pair.accessExpiresAt > Date.now() ? pair : undefined;
	}

	/** The pair a refresh token belongs to, whether or not it still works (for the request log). */
	findByRefresh(refreshToken: string): TokenPair | undefined {
		return this.byRefresh.get(refreshToken);
	}

	/** Rotates: the used refresh token dies, the old access token lives until its own expiry. */
	refresh(refreshToken: string, config: RuntimeConfig): TokenPair | undefined {
		const pair = this.byRefresh.get(refreshToken);
		if (!pair || pair.refreshDead || pair.refreshExpiresAt <= Date.now()) return undefined;
		pair.refreshDead = true;
		return this.issue(pair.accountId, config);
	}

	revoke(pair: TokenPair): void {
		pair.accessRevoked = true;
		pair.refreshDead = true;
	}

	/** Every access and refresh token ever issued, for tests that check none leaks anywhere. */
	issued(): string[] {
		return [...this.byAccess.values()].flatMap((pair) => [pair.accessToken, pair.refreshToken]);
	}

	private select(accountId: number | undefined): TokenPair[] {
		return [...this.byAccess.values()].filter(
			(p) => accountId === undefined || p.accountId === accountId,
		);
	}

	/** Revokes every token (of one account); returns how many pairs were live before. */
	revokeAll(accountId?: number): number {
		let count = 0;
		for (const pair of this.select(accountId)) {
			if (!pair.accessRevoked || !pair.refreshDead) count++;
			this.revoke(pair);
		}
		return count;
	}

	/** Moves the expiry of existing tokens into the past; returns how many pairs changed. */
	expire(selection: ExpireSelection): number {
		const past = Date.now() - 1000;
		let count = 0;
		for (const pair of this.select(selection.accountId)) {
			if (selection.access) pair.accessExpiresAt = Math.min(pair.accessExpiresAt, past);
			if (selection.refresh) pair.refreshExpiresAt = Math.min(pair.refreshExpiresAt, past);
			count++;
		}
		return count;
	}

	clear(): void {
		this.byAccess.clear();
		this.byRefresh.clear();
	}
}
