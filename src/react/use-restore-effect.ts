'use client';
import { useEffect, useLayoutEffect } from 'react';

/**
 * The effect that reads `persist` storage. A layout effect, so it runs before any passive effect,
 * a child's included: a `generate()` from a child's mount effect must find the stored task already
 * resumed, not start a second paid generation and drop the first. On a server neither kind runs;
 * `useEffect` there spares React 18 its warning about layout effects.
 */
export const useRestoreEffect = typeof window === 'undefined' ? useEffect : useLayoutEffect;
