/**
 * What the editor shows of the two node descriptions: n8n's node creator merges BLS Portal and
 * BLS Portal Trigger into one card with the trigger's description (editor-ui
 * useActionsGeneration.ts), and renders notices as HTML (so `<...>` would vanish).
 */
import type { INodeProperties } from 'n8n-workflow';

import { BlsPortal } from '../../../nodes/BlsPortal/BlsPortal.node';
import { BlsPortalTrigger } from '../../../nodes/BlsPortalTrigger/BlsPortalTrigger.node';

const trigger = new BlsPortalTrigger().description;
const action = new BlsPortal().description;

it('gives the merged node-creator card the action node description', () => {
	expect(trigger.description).toBe(action.description);
});

it('writes every notice without HTML-looking placeholders', () => {
	const notices = [...trigger.properties, ...action.properties].filter(
		(property: INodeProperties) => property.type === 'notice',
	);
	expect(notices.length).toBeGreaterThan(0);
	for (const notice of notices) expect(notice.displayName).not.toMatch(/[<>]/);
});
