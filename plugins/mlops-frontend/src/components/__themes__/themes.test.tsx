import { screen } from '@testing-library/react';
import { themes, UnifiedThemeProvider } from '@backstage/theme';
import { mlServiceEntity } from '../../__testUtils__/fakes';
import { renderWithMlops } from '../../__testUtils__/renderWithMlops';
import { EntityMlServiceCard } from '../EntityMlServiceCard';
import { EntityMlServiceContent } from '../EntityMlServiceContent';

function toRgb(hex: string): string {
  const [r, g, b] = [1, 3, 5].map(i => parseInt(hex.slice(i, i + 2), 16));
  return `rgb(${r}, ${g}, ${b})`;
}

describe.each([
  ['light', themes.light],
  ['dark', themes.dark],
])('the %s theme', (_name, theme) => {
  const paper = toRgb(
    (theme.getTheme('v4') as any).palette.background.paper as string,
  );

  it('renders the card on the theme’s own surfaces', async () => {
    await renderWithMlops(
      <UnifiedThemeProvider theme={theme}>
        <EntityMlServiceCard />
      </UnifiedThemeProvider>,
      { entity: mlServiceEntity() },
    );
    const status = await screen.findByLabelText('primary: Healthy');
    let card: HTMLElement | null = status;
    while (card && !/Paper-root|Card-root/.test(String(card.className))) {
      card = card.parentElement;
    }
    expect(card).not.toBeNull();
    expect(getComputedStyle(card!).backgroundColor).toBe(paper);
  });

  it('renders the tab', async () => {
    await renderWithMlops(
      <UnifiedThemeProvider theme={theme}>
        <EntityMlServiceContent />
      </UnifiedThemeProvider>,
      { entity: mlServiceEntity() },
    );
    expect(await screen.findAllByText('Healthy')).not.toHaveLength(0);
  });
});
